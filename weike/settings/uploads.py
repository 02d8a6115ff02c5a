"""Settings group: resumable (tus) uploads (ingest/; docs/media-pipeline.md).

On S3 an upload is sent as multipart parts of UPLOAD_PART_SIZE bytes. S3 (and
the compatible services) refuse parts under 5 MiB (all but the last), parts
over 5 GiB, and uploads of more than 10,000 parts: a configuration that would
need any of these refuses to start instead of failing every large upload.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import env_int, env_str
from .paths import VAR_DIR

S3_MIN_PART = 5 * 1024**2
S3_MAX_PART = 5 * 1024**3
S3_MAX_PARTS = 10_000

# Largest video accepted, in bytes.
UPLOAD_MAX_SIZE = env_int("WEIKE_UPLOAD_MAX_BYTES", 4 * 1024**3)
# The lesson workspace's attachments (catalog/attachments.py) and caption files.
ATTACHMENT_MAX_SIZE = env_int("WEIKE_ATTACHMENT_MAX_BYTES", 50 * 1024**2)
CAPTION_MAX_SIZE = env_int("WEIKE_CAPTION_MAX_BYTES", 1024**2)
CAPTION_MAX_CUES = env_int("WEIKE_CAPTION_MAX_CUES", 5000)
# Bytes per S3 multipart part (and per spool flush on local disk).
UPLOAD_PART_SIZE = env_int("WEIKE_UPLOAD_PART_BYTES", 8 * 1024**2)
# Where bytes wait until they form a part.
UPLOAD_SPOOL_DIR = Path(env_str("WEIKE_UPLOAD_SPOOL_DIR", str(VAR_DIR / "uploads")))
# Unfinished uploads older than this are removed by cleanup_uploads.
UPLOAD_EXPIRE_HOURS = env_int("WEIKE_UPLOAD_EXPIRE_HOURS", 24)
# Per user: uploads still receiving, and the sum of their declared lengths (429).
UPLOAD_MAX_OPEN_PER_USER = env_int("WEIKE_UPLOAD_MAX_OPEN", 3)
UPLOAD_MAX_BYTES_IN_FLIGHT_PER_USER = env_int(
    "WEIKE_UPLOAD_MAX_INFLIGHT_BYTES", 8 * 1024**3
)


def require_possible_parts(on_s3: bool, part: int, largest: int) -> None:
    """ImproperlyConfigured when S3 would refuse the parts of an upload."""
    if not on_s3:
        return
    if not S3_MIN_PART <= part <= S3_MAX_PART:
        raise ImproperlyConfigured(
            f"WEIKE_UPLOAD_PART_BYTES is {part}; S3 accepts parts of 5 MiB to "
            f"5 GiB: set it between {S3_MIN_PART} and {S3_MAX_PART}."
        )
    if -(-largest // part) > S3_MAX_PARTS:
        raise ImproperlyConfigured(
            f"An upload of WEIKE_UPLOAD_MAX_BYTES ({largest}) would need more than "
            f"{S3_MAX_PARTS} parts of {part} bytes, which S3 refuses: raise "
            "WEIKE_UPLOAD_PART_BYTES or lower WEIKE_UPLOAD_MAX_BYTES."
        )


require_possible_parts(
    bool(env_str("WEIKE_S3_BUCKET")), UPLOAD_PART_SIZE, UPLOAD_MAX_SIZE
)

# `from .<group> import *` in base.py takes the settings only.
__all__ = [name for name in dir() if name.isupper()]
