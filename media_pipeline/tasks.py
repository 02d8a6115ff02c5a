"""Background jobs of the media pipeline (thin: the work is in services).

Each task is defined beside the work it runs (services.process_video_task,
files.delete_files_task), so the modules that queue them never import this
one and this one imports them: no cycle. Listed here to be found in one place.
"""

from .files import delete_files_task
from .services import process_video_task

__all__ = ["delete_files_task", "process_video_task"]
