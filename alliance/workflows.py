"""What happens when the review workflow finishes (WAGTAIL_FINISH_WORKFLOW_ACTION)."""


def publish_workflow_state(workflow_state, user=None):
    """Publish the approved revision on behalf of the approving editor.

    Wagtail's default publishes with the approver's own page permissions, but
    alliance editors hold no tree-wide publish permission: their right to
    publish *this* page is the review task's scope check, which already passed
    when they approved (SubjectReviewTask.on_action).
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
