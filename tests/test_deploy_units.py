"""deploy/: the systemd units pass `systemd-analyze verify` and start what
exists; the example environment names only variables Weike reads and holds
no secret."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ["weike-web.service", "weike-worker@.service", "weike-scheduler.service"]


def _localised(unit: Path) -> str:
    """The unit as it would be on a host where the app lives in this checkout."""
    text = unit.read_text()
    text = text.replace("/srv/weike/app", str(ROOT))
    text = text.replace("/etc/weike/weike.env", str(DEPLOY / "weike.env.example"))
    return re.sub(r"^(User|Group)=weike$", r"\1=root", text, flags=re.M)


def test_units_pass_systemd_analyze_verify(tmp_path):
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.fail("systemd-analyze is required (systemd package)")
    names = []
    for name in UNITS:
        text = _localised(DEPLOY / "systemd" / name)
        # A template unit is verified through one of its instances.
        name = name.replace("@.", "@1.")
        (tmp_path / name).write_text(text)
        names.append(f"./{name}")
    result = subprocess.run(
        [binary, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_units_start_the_modules_that_exist():
    web = (DEPLOY / "systemd" / "weike-web.service").read_text()
    assert "deploy/gunicorn.conf.py weike.wsgi" in web
    for name in ("weike-worker@.service", "weike-scheduler.service"):
        text = (DEPLOY / "systemd" / name).read_text()
        assert "-A media_pipeline.celery_app " in text
    assert (ROOT / "media_pipeline" / "celery_app.py").is_file()
    assert (ROOT / "weike" / "wsgi.py").is_file()
    assert " beat " in (DEPLOY / "systemd" / "weike-scheduler.service").read_text()


def _example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "weike.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_the_example_environment_names_only_variables_weike_reads():
    code = "\n".join(
        p.read_text()
        for p in [*ROOT.glob("*/settings/*.py"), *ROOT.glob("*/*.py")]
        + list((DEPLOY / "systemd").iterdir())
    )
    unknown = [key for key in _example() if key not in code]
    assert unknown == []


def test_the_example_environment_holds_no_secret():
    pairs = _example()
    for key in (
        "WEIKE_SECRET_KEY",
        "WEIKE_S3_SECRET_ACCESS_KEY",
        "WEIKE_S3_ACCESS_KEY_ID",
    ):
        assert pairs[key] == ""
    # No password in any URL: user@host or user:@host only.
    for value in pairs.values():
        assert not re.search(r"://[^/@:]+:[^@/]+@", value), value
