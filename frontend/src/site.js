// Progressive enhancement of the server-rendered pages: tree expand/collapse
// and live status polling (the player is in player.js, loaded by lesson pages).

function setupTreeTools() {
  document.querySelectorAll("[data-tree-toggle]").forEach((button) => {
    button.addEventListener("click", () => {
      const open = button.dataset.treeToggle === "open";
      document.querySelectorAll(".tree details").forEach((d) => {
        d.open = open;
      });
    });
  });
}

export async function pollStatus(url, onUpdate, { every = 2000, until } = {}) {
  for (;;) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) {
      const data = await response.json();
      onUpdate(data);
      if (until && until(data)) return data;
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

function setupMyPolling() {
  document.querySelectorAll("tr[data-poll]").forEach((row) => {
    const cell = row.querySelector(".video-cell");
    // The words are in the page, in its language (portal/my_index.html).
    const words = row.closest("table").dataset;
    pollStatus(row.dataset.statusUrl, (data) => {
      const v = data.video;
      if (v.state === "processing") {
        const bar = document.createElement("progress");
        bar.max = 100;
        bar.value = Math.round(v.progress);
        cell.replaceChildren(`${words.transcoding} `, bar);
      } else if (v.state === "ready") {
        cell.textContent = words.playable;
      } else {
        cell.textContent = words.rejected.replace("{reason}", v.reason);
      }
    }, { every: 3000, until: (d) => d.video.state !== "processing" });
  });
  const waiting = document.querySelector(".player-state.processing[data-status-url]");
  if (waiting) {
    pollStatus(waiting.dataset.statusUrl, () => {}, {
      every: 4000,
      until: (d) => d.video.state !== "processing",
    }).then(() => window.location.reload());
  }
}

setupTreeTools();
setupMyPolling();
window.weike = { pollStatus };
