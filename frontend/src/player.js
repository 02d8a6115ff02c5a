// The lesson player: HLS through hls.js where the browser has no native HLS,
// the MP4 <source> otherwise; storyboard previews and chapter marks on the
// seek slider; resume where you stopped, remembered speed, keyboard shortcuts.
// Every label is in the page (gettext in the template): this file has no text.
import Hls from "hls.js/dist/hls.light.mjs";

const RATES = [0.75, 1, 1.25, 1.5, 2];
const SEEK_STEP = 5; // seconds, ← and →
const VOLUME_STEP = 0.1;
const RESUME_MARGIN = 5; // no resume point in the first or the last 5 s
const SAVE_EVERY_MS = 2000;

function storage() {
  // Private modes and blocked storage throw: the player works without it.
  try {
    const s = window.localStorage;
    s.getItem("weike:probe");
    return s;
  } catch {
    return null;
  }
}

function clock(t) {
  const s = Math.max(0, Math.floor(t));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function knownDuration(box, video) {
  if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
  const d = Number(box.dataset.duration);
  return Number.isFinite(d) && d > 0 ? d : 0;
}

function setupPlayer(box) {
  const video = box.querySelector("video");
  const wrap = box.closest(".player-wrap") || box.parentElement;
  const hls = box.dataset.hls;
  if (hls) {
    if (Hls.isSupported()) {
      const player = new Hls({ capLevelToPlayerSize: true });
      player.loadSource(hls);
      player.attachMedia(video);
      player.on(Hls.Events.ERROR, (_e, data) => {
        // A fatal HLS error falls back to the MP4 <source> in the markup.
        if (data.fatal) {
          player.destroy();
          video.load();
        }
      });
      box.dataset.engine = "hls.js";
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = hls;
      box.dataset.engine = "native-hls";
    }
  } else {
    box.dataset.engine = "mp4";
  }
  const store = storage();
  setupScrub(box, video, wrap);
  setupSpeed(video, wrap, store);
  setupResume(box, video, wrap, store);
  setupChapters(box, video, wrap);
  setupKeys(box, video);
}

function setupScrub(box, video, wrap) {
  const scrub = box.querySelector(".scrub");
  if (!scrub) return;
  const range = scrub.querySelector(".scrub-range");
  const showPreview = setupStoryboard(box, scrub, range);
  const setMax = () => {
    const d = knownDuration(box, video);
    if (d) range.max = d;
    drawMarks(box, video, wrap, scrub);
  };
  setMax();
  video.addEventListener("loadedmetadata", setMax);
  video.addEventListener("durationchange", setMax);
  video.addEventListener("timeupdate", () => {
    if (!scrub.classList.contains("show")) range.value = video.currentTime;
  });
  range.addEventListener("input", () => showPreview(Number(range.value)));
  range.addEventListener("change", () => {
    video.currentTime = Number(range.value);
    scrub.classList.remove("show");
  });
  range.addEventListener("pointermove", (e) => {
    const rect = range.getBoundingClientRect();
    showPreview(((e.clientX - rect.left) / rect.width) * Number(range.max));
  });
  range.addEventListener("pointerleave", () => scrub.classList.remove("show"));
  range.addEventListener("blur", () => scrub.classList.remove("show"));
}

// Returns show(t): the storyboard tile of time t above the slider (no-op
// without a storyboard).
function setupStoryboard(box, scrub, range) {
  const url = box.dataset.storyboard;
  const thumb = scrub.querySelector(".scrub-thumb");
  if (!url || !thumb) return () => {};
  const interval = Number(box.dataset.storyboardInterval) || 1;
  const cols = Number(box.dataset.storyboardCols) || 10;
  const rows = Number(box.dataset.storyboardRows) || 10;
  const img = new Image();
  img.decoding = "async";
  scrub.hidden = false;
  let loaded = false;
  const load = () => {
    if (!loaded) {
      loaded = true;
      img.src = url;
    }
  };
  range.addEventListener("focus", load);
  return (t) => {
    load();
    if (!img.naturalWidth) return;
    const tw = img.naturalWidth / cols;
    const th = img.naturalHeight / rows;
    const index = Math.min(cols * rows - 1, Math.floor(t / interval));
    thumb.style.width = `${tw}px`;
    thumb.style.height = `${th}px`;
    thumb.style.backgroundImage = `url("${url}")`;
    thumb.style.backgroundPosition = `-${(index % cols) * tw}px -${Math.floor(index / cols) * th}px`;
    const max = Number(range.max) || 1;
    const x = (t / max) * range.clientWidth - tw / 2;
    thumb.style.left = `${Math.max(0, Math.min(range.clientWidth - tw, x))}px`;
    scrub.classList.add("show");
  };
}

function chapterButtons(wrap) {
  return Array.from(wrap.querySelectorAll("button.chapter[data-start]"));
}

// One mark on the slider per chapter (positions set through the CSSOM, which
// the Content-Security-Policy allows; no style="" in the markup).
function drawMarks(box, video, wrap, scrub) {
  const layer = scrub.querySelector(".scrub-marks");
  const d = knownDuration(box, video);
  if (!layer || !d) return;
  layer.replaceChildren();
  for (const button of chapterButtons(wrap)) {
    const start = Number(button.dataset.start);
    if (!(start >= 0 && start < d)) continue;
    const mark = document.createElement("span");
    mark.className = "scrub-mark";
    mark.style.left = `${(start / d) * 100}%`;
    mark.title = button.textContent.trim();
    layer.append(mark);
  }
}

function setupChapters(box, video, wrap) {
  const buttons = chapterButtons(wrap);
  if (!buttons.length) return;
  for (const button of buttons) {
    button.addEventListener("click", () => {
      video.currentTime = Number(button.dataset.start);
      video.play().catch(() => {});
      box.focus({ preventScroll: true });
    });
  }
  const starts = buttons.map((b) => Number(b.dataset.start));
  video.addEventListener("timeupdate", () => {
    let current = -1;
    starts.forEach((s, i) => {
      if (video.currentTime >= s) current = i;
    });
    buttons.forEach((b, i) => b.setAttribute("aria-current", String(i === current)));
  });
}

function setupSpeed(video, wrap, store) {
  const select = wrap.querySelector(".speed-select");
  let rate = Number(store?.getItem("weike:speed"));
  if (!RATES.includes(rate)) rate = 1;
  const apply = () => {
    video.defaultPlaybackRate = rate;
    video.playbackRate = rate;
  };
  apply();
  // hls.js attaching a source, or load() after a fallback, resets the rate.
  video.addEventListener("loadedmetadata", apply);
  if (!select) return;
  select.value = String(rate);
  select.addEventListener("change", () => {
    const chosen = Number(select.value);
    if (!RATES.includes(chosen)) return;
    rate = chosen;
    apply();
    store?.setItem("weike:speed", String(rate));
  });
}

function setupResume(box, video, wrap, store) {
  const id = box.dataset.lesson;
  if (!store || !/^\d{1,18}$/.test(id || "")) return;
  const key = `weike:resume:${id}`;
  const read = () => {
    try {
      const data = JSON.parse(store.getItem(key) || "null");
      const t = Number(data?.t);
      return Number.isFinite(t) && t >= RESUME_MARGIN ? t : 0;
    } catch {
      return 0;
    }
  };
  const forget = () => store.removeItem(key);
  let lastSave = 0;
  const save = (force) => {
    const d = knownDuration(box, video);
    const t = video.currentTime;
    if (!d || !Number.isFinite(t)) return;
    if (video.ended || t >= d - RESUME_MARGIN) {
      forget(); // finished: next time starts from the beginning
      return;
    }
    if (t < RESUME_MARGIN) return;
    const now = Date.now();
    if (!force && now - lastSave < SAVE_EVERY_MS) return;
    lastSave = now;
    store.setItem(key, JSON.stringify({ t: Math.floor(t), d: Math.floor(d), at: now }));
  };
  video.addEventListener("timeupdate", () => save(false));
  video.addEventListener("pause", () => save(true));
  video.addEventListener("seeked", () => save(true));
  video.addEventListener("ended", forget);
  window.addEventListener("pagehide", () => save(true));

  const prompt = wrap.querySelector(".resume");
  const saved = read();
  const d = knownDuration(box, video);
  if (!prompt || !saved || (d && saved >= d - RESUME_MARGIN)) return;
  const at = prompt.querySelector(".resume-at");
  if (at) at.textContent = clock(saved);
  prompt.hidden = false;
  const hide = () => {
    prompt.hidden = true;
  };
  const seekTo = (t) => {
    if (video.readyState >= 1) video.currentTime = t;
    else video.addEventListener("loadedmetadata", () => (video.currentTime = t), { once: true });
    video.play().catch(() => {});
    hide();
    box.focus({ preventScroll: true });
  };
  prompt.querySelector(".resume-go")?.addEventListener("click", () => seekTo(saved));
  prompt.querySelector(".resume-restart")?.addEventListener("click", () => {
    forget();
    seekTo(0);
  });
  video.addEventListener("play", hide, { once: true });
}

// Shortcuts while the player (or the video in it) has focus. Keys typed
// into a form field (the slider included) are left to it, as are
// combinations with Ctrl, Alt or Meta.
function setupKeys(box, video) {
  const actions = {
    " ": () => (video.paused ? video.play().catch(() => {}) : video.pause()),
    k: () => actions[" "](),
    ArrowLeft: () => seekBy(video, -SEEK_STEP),
    ArrowRight: () => seekBy(video, SEEK_STEP),
    ArrowUp: () => volumeBy(video, VOLUME_STEP),
    ArrowDown: () => volumeBy(video, -VOLUME_STEP),
    f: () => toggleFullscreen(box),
    c: () => toggleCaptions(video),
  };
  box.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    const target = e.target;
    if (target !== video && target.closest?.("input, select, textarea, button, a, [contenteditable]")) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const action = actions[key];
    if (!action) return;
    e.preventDefault(); // also keeps the browser's own video keys out
    e.stopPropagation();
    action();
  });
}

function seekBy(video, delta) {
  const end = Number.isFinite(video.duration) ? video.duration : Infinity;
  video.currentTime = Math.max(0, Math.min(end, video.currentTime + delta));
}

function volumeBy(video, delta) {
  if (delta > 0) video.muted = false; // turning it up means "I want sound"
  video.volume = Math.round(Math.max(0, Math.min(1, video.volume + delta)) * 10) / 10;
}

function toggleFullscreen(box) {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else box.requestFullscreen?.().catch(() => {});
}

function toggleCaptions(video) {
  const tracks = Array.from(video.textTracks || []).filter(
    (t) => t.kind === "subtitles" || t.kind === "captions",
  );
  if (!tracks.length) return;
  const showing = tracks.some((t) => t.mode === "showing");
  tracks.forEach((t, i) => {
    t.mode = !showing && i === 0 ? "showing" : "disabled";
  });
}

document.querySelectorAll("[data-player]").forEach(setupPlayer);
