// The upload page: knowledge-point picker, resumable tus upload with a
// progress bar, then live polling of the check and transcoding results.
import * as tus from "tus-js-client";

const form = document.getElementById("upload-form");

function csrf() {
  return form.querySelector("input[name=csrfmiddlewaretoken]").value;
}

async function loadPicker() {
  const select = form.querySelector("#u-subject");
  const tree = form.querySelector(".kp-tree");
  const option = select.selectedOptions[0];
  if (!option || !option.value) {
    tree.innerHTML = "";
    return;
  }
  const params = new URLSearchParams({ stage: option.dataset.stage, subject: option.dataset.subject });
  const response = await fetch(`${tree.dataset.kpTreeUrl}?${params}`, { credentials: "same-origin" });
  tree.innerHTML = await response.text();
  filterPicker();
}

// Only the grades of the chosen subject's stage are offered; a remembered
// default grade of another stage is cleared rather than sent and refused.
function matchGrades() {
  const option = form.querySelector("#u-subject").selectedOptions[0];
  const stage = option && option.value ? option.dataset.stage : null;
  const grade = form.querySelector("#u-grade");
  if (!grade) return;
  for (const g of grade.options) {
    if (g.value) g.hidden = stage !== null && g.dataset.stage !== stage;
  }
  if (grade.selectedOptions[0] && grade.selectedOptions[0].hidden) grade.value = "";
}

function metadata() {
  const data = new FormData(form);
  return {
    filename: form.querySelector("#u-file").files[0].name,
    filetype: form.querySelector("#u-file").files[0].type || "application/octet-stream",
    title: data.get("title") || "",
    summary: data.get("summary") || "",
    subject_page: data.get("subject_page") || "",
    knowledge_points: data.getAll("knowledge_points").join(","),
  };
}

// The sentences are in the page, in its language (portal/includes/upload_status.html).
function say(key, values = {}) {
  const text = form.querySelector("#u-status").dataset[key] || "";
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function showStatus(text) {
  form.querySelector("#u-status").textContent = text;
}

function follow(statusUrl) {
  window.weike.pollStatus(statusUrl, (data) => {
    const v = data.video;
    if (v.state === "processing" && ["uploaded", "probing"].includes(v.status)) {
      showStatus(say("checking"));
    } else if (v.state === "processing") {
      showStatus(say("transcoding", { percent: Math.round(v.progress) }));
    } else if (v.state === "ready") {
      showStatus(say("ready", { status: data.status_label }));
    } else {
      showStatus(say("rejected", { reason: v.reason }));
    }
  }, { every: 1500, until: (d) => d.video.state !== "processing" });
}

function start(event) {
  event.preventDefault();
  const file = form.querySelector("#u-file").files[0];
  if (!file || !form.reportValidity()) return;
  const bar = form.querySelector("#u-progress");
  const text = form.querySelector("#u-progress-text");
  form.querySelector(".upload-progress").hidden = false;
  const upload = new tus.Upload(file, {
    endpoint: form.dataset.tusEndpoint,
    // Retries with growing delays carry the upload over a dropped connection.
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
    chunkSize: 5 * 1024 * 1024,
    metadata: metadata(),
    headers: { "X-CSRFToken": csrf() },
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    onProgress(sent, total) {
      const pct = total ? Math.floor((sent / total) * 100) : 0;
      bar.value = pct;
      text.textContent = `${pct}%`;
    },
    onError(error) {
      // The ingest app answers a rejected file with {code, message}: one
      // sentence in the page's language.
      let reason = error.message || String(error);
      try {
        const body = JSON.parse(error.originalResponse.getBody());
        reason = body.message || body.detail || reason;
      } catch {
        // not a JSON rejection: keep the transport message
      }
      showStatus(say("uploadFailed", { reason }));
    },
    async onSuccess() {
      bar.value = 100;
      text.textContent = "100%";
      showStatus(say("uploaded"));
      const statusUrl = upload.url && (await resolveStatusUrl(upload.url));
      if (statusUrl) follow(statusUrl);
    },
  });
  upload.findPreviousUploads().then((previous) => {
    if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
}

async function resolveStatusUrl(uploadUrl) {
  // The tus URL ends with the upload id; the portal turns it into a draft lesson.
  const id = uploadUrl.replace(/\/+$/, "").split("/").pop();
  const body = new FormData(form);
  body.delete("file");
  body.set("upload", id);
  const response = await fetch(form.dataset.finishUrl, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
  });
  const data = await response.json();
  if (!response.ok) {
    const messages = Object.values(data.errors || {}).flat().map((e) => e.message);
    showStatus(say("saveFailed", { reasons: messages.join(say("separator")) }));
    return null;
  }
  form.dataset.entryId = data.id;
  // The upload page shows links to the new draft; a lesson's workspace
  // (another video for the lesson) has none.
  const links = document.getElementById("u-links");
  if (links) {
    document.getElementById("u-edit").href = data.edit_url;
    document.getElementById("u-preview").href = data.preview_url;
    links.hidden = false;
  }
  return data.status_url;
}

function filterPicker() {
  // Show the points whose name contains the text, with their ancestors opened.
  const text = form.querySelector("#kp-filter").value.trim();
  const items = [...form.querySelectorAll(".kp-tree li")];
  if (!text) {
    items.forEach((li) => { li.hidden = false; });
    return;
  }
  items.forEach((li) => {
    const own = li.querySelector("label").textContent;
    li.hidden = !li.textContent.includes(text);
    if (!li.hidden) {
      const details = li.querySelector(":scope > details");
      if (details && !own.includes(text)) details.open = true;
      let parent = li.parentElement.closest("details");
      while (parent) {
        parent.open = true;
        parent = parent.parentElement.closest("details");
      }
    }
  });
}

if (form && form.querySelector("#u-subject")) {
  form.querySelector("#kp-filter").addEventListener("input", filterPicker);
  form.querySelector("#u-subject").addEventListener("change", loadPicker);
  form.querySelector("#u-subject").addEventListener("change", matchGrades);
  matchGrades();
}
if (form) form.addEventListener("submit", start);
