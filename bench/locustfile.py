"""Locust workload of bench/load.py: anonymous visitors, logged-in teachers,
editors, searchers and uploaders in parallel against a running site.

Run through bench/load.py (which starts PostgreSQL, Redis and gunicorn and
writes the data), or alone against any site whose users have the demo
password:

    locust -f bench/locustfile.py --host http://127.0.0.1:8000 \
        --headless -u 32 -r 8 -t 2m

WEIKE_LOAD_LESSONS (a file of lesson paths, one a line) lists the lessons to
open; WEIKE_LOAD_VIDEO the small video the uploaders send (bench/load.py
makes both). Request names group URLs by page, so the report has one line per
page: home, tree, search, lesson, my, review, upload-*.
"""

from __future__ import annotations

import base64
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

PASSWORD = os.environ.get("WEIKE_LOAD_PASSWORD", "weike-demo")
TEACHERS = ["teacher_wang", "teacher_li", "teacher_zhang"]
EDITORS = ["editor_math", "editor_physics"]
TREES = [
    "/browse/junior/maths/",
    "/browse/senior/physics/",
    "/browse/primary/maths/",
]
QUERIES = ["函数", "勾股定理", "实验", "方程", "二次函数", "光的折射", "分数", "力"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _lessons() -> list[str]:
    path = os.environ.get("WEIKE_LOAD_LESSONS")
    if path and Path(path).exists():
        return [line for line in Path(path).read_text().split() if line]
    return ["/"]


LESSONS = _lessons()
VIDEO = (
    Path(os.environ["WEIKE_LOAD_VIDEO"]).read_bytes()
    if os.environ.get("WEIKE_LOAD_VIDEO")
    else b""
)


def _check(response, *ok):
    """Mark anything but the expected statuses as a failure (Locust only
    counts >= 400 by itself; a redirect to the login page is an error too)."""
    if response.status_code not in (ok or (200,)):
        response.failure(f"status {response.status_code}")
    else:
        response.success()


# Pages, as Locust tasks (a function of the user): each kind of visitor below
# is the same pages in its own proportions.


def _get(user, url: str, name: str) -> None:
    with user.client.get(url, name=name, catch_response=True) as r:
        _check(r)


def home(user):
    _get(user, "/", "home")


def tree(user):
    _get(user, random.choice(TREES), "tree")


def search(user):
    url = "/find/?q=" + random.choice(QUERIES)
    if random.random() < 0.3:
        url += "&stage=junior"
    _get(user, url, "search")


def lesson(user):
    _get(user, random.choice(LESSONS), "lesson")


def my_lessons(user):
    _get(user, "/my/", "my")


def review_queue(user):
    _get(user, "/alliance/review/", "review")


class Anonymous(HttpUser):
    weight = 8
    wait_time = between(0.5, 2)
    tasks = {home: 3, tree: 2, search: 2, lesson: 6}


class LoggedIn(HttpUser):
    abstract = True
    usernames: list[str] = []

    def on_start(self):
        page = self.client.get("/login/", name="login-form")
        token = CSRF.search(page.text)
        with self.client.post(
            "/login/",
            data={
                "username": random.choice(self.usernames),
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            _check(r, 302)

    def csrf_headers(self) -> dict:
        return {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.host + "/my/upload/",
        }


class Teacher(LoggedIn):
    weight = 4
    wait_time = between(1, 3)
    usernames = TEACHERS
    tasks = {home: 2, tree: 2, search: 2, lesson: 4, my_lessons: 2}


class Editor(LoggedIn):
    weight = 1
    wait_time = between(1, 3)
    usernames = EDITORS
    tasks = {review_queue: 2, lesson: 2, search: 1}


class Uploader(LoggedIn):
    """A teacher sending a small video by tus and filing it as a draft."""

    weight = 1
    wait_time = between(2, 5)
    usernames = TEACHERS

    @task
    def upload(self):
        if not VIDEO:
            return
        # Different bytes each time: the same file twice is a duplicate.
        body = VIDEO + os.urandom(16)
        name = base64.b64encode(b"load.mp4").decode()
        with self.client.post(
            "/ingest/tus/",
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(body)),
                "Upload-Metadata": f"filename {name}",
                **self.csrf_headers(),
            },
            name="upload-create",
            catch_response=True,
        ) as r:
            _check(r, 201)
            location = r.headers.get("Location", "")
        if not location:
            return
        with self.client.patch(
            location,
            data=body,
            headers={
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                **self.csrf_headers(),
            },
            name="upload-patch",
            catch_response=True,
        ) as r:
            _check(r, 204)
        upload_id = location.rstrip("/").rsplit("/", 1)[-1]
        with self.client.post(
            "/my/upload/finish/",
            data={
                "upload": upload_id,
                "subject_page": self.subject_page(),
                "title": "负载测试微课",
                "summary": "",
            },
            headers=self.csrf_headers(),
            name="upload-finish",
            catch_response=True,
        ) as r:
            _check(r, 201)

    def subject_page(self) -> str:
        if not hasattr(self, "_subject_page"):
            html = self.client.get("/my/upload/", name="upload-form").text
            match = re.search(
                r'name="subject_page"[^>]*>\s*(?:<[^>]*>\s*)*?'
                r'<option value="(\d+)"',
                html,
            )
            if match is None:
                match = re.search(r'<option value="(\d+)"', html)
            self._subject_page = match.group(1) if match else ""
        return self._subject_page
