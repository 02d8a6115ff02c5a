"""Where the project and its runtime state live (shared by the settings groups)."""

from pathlib import Path

from .env import env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
# Runtime state of the embedded defaults (database, media, logs) lives here.
VAR_DIR = Path(env_str("WEIKE_VAR_DIR", str(BASE_DIR / "var")))
