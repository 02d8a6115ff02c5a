// The lesson player: HLS through hls.js where the browser has no native HLS,
// the MP4 <source> otherwise, and storyboard previews on the seek slider.
import Hls from "hls.js/dist/hls.light.mjs";

function setupPlayer(box) {
  const video = box.querySelector("video");
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
  setupStoryboard(box, video);
}

function setupStoryboard(box, video) {
  const url = box.dataset.storyboard;
  const scrub = box.querySelector(".scrub");
  if (!url || !scrub) return;
  const interval = Number(box.dataset.storyboardInterval) || 1;
  const cols = Number(box.dataset.storyboardCols) || 10;
  const rows = Number(box.dataset.storyboardRows) || 10;
  const range = scrub.querySelector(".scrub-range");
  const thumb = scrub.querySelector(".scrub-thumb");
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
  const show = (t) => {
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
  video.addEventListener("loadedmetadata", () => {
    if (video.duration && Number.isFinite(video.duration)) range.max = video.duration;
  });
  video.addEventListener("timeupdate", () => {
    if (!scrub.classList.contains("show")) range.value = video.currentTime;
  });
  range.addEventListener("pointermove", (e) => {
    const rect = range.getBoundingClientRect();
    show(((e.clientX - rect.left) / rect.width) * Number(range.max));
  });
  range.addEventListener("pointerleave", () => scrub.classList.remove("show"));
  range.addEventListener("input", () => show(Number(range.value)));
  range.addEventListener("change", () => {
    video.currentTime = Number(range.value);
    scrub.classList.remove("show");
  });
  range.addEventListener("blur", () => scrub.classList.remove("show"));
  range.addEventListener("focus", load);
}

document.querySelectorAll("[data-player]").forEach(setupPlayer);
