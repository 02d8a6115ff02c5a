"""System checks: configurations the pipeline cannot work with are errors.

ffmpeg and ffprobe are required: without them no video can be probed or
transcoded, so the site would accept uploads it can never publish. On S3,
a resumable upload is sent as multipart parts, and S3-compatible services
refuse parts under 5 MiB (all but the last) and uploads of over 10,000 parts.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .ffmpeg import ffmpeg_binary, missing_binaries

S3_MIN_PART = 5 * 1024**2
S3_MAX_PART = 5 * 1024**3
S3_MAX_PARTS = 10_000


@register(Tags.compatibility)
def ffmpeg_available(app_configs, **kwargs):
    return [
        Error(
            f"{name} was not found; videos cannot be probed or transcoded.",
            hint="Install ffmpeg (apt-get install ffmpeg) or set "
            "MEDIA_FFMPEG_BINARY / MEDIA_FFPROBE_BINARY.",
            id="media_pipeline.E001"
            if name == ffmpeg_binary()
            else "media_pipeline.E002",
        )
        for name in missing_binaries()
    ]


def _uses_s3() -> bool:
    backend = settings.STORAGES["default"]["BACKEND"]
    return backend.startswith("storages.backends.s3")


@register(Tags.compatibility)
def upload_parts_possible(app_configs, **kwargs):
    if not _uses_s3():
        return []
    part, largest = settings.UPLOAD_PART_SIZE, settings.UPLOAD_MAX_SIZE
    errors = []
    if not S3_MIN_PART <= part <= S3_MAX_PART:
        errors.append(
            Error(
                f"UPLOAD_PART_SIZE is {part} bytes; S3 accepts parts of 5 MiB "
                "to 5 GiB.",
                hint="Set WEIKE_UPLOAD_PART_BYTES between 5242880 and 5368709120.",
                id="media_pipeline.E003",
            )
        )
    elif -(-largest // part) > S3_MAX_PARTS:
        errors.append(
            Error(
                f"An upload of UPLOAD_MAX_SIZE ({largest} bytes) would need more "
                f"than {S3_MAX_PARTS} parts of {part} bytes; S3 refuses it.",
                hint="Raise WEIKE_UPLOAD_PART_BYTES or lower WEIKE_UPLOAD_MAX_BYTES.",
                id="media_pipeline.E004",
            )
        )
    return errors
