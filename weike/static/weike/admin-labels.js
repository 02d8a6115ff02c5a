// Wagtail's date/time picker (jquery.datetimepicker) builds a "Save Selected"
// button with hard-coded English. The label in the user's language comes from
// the script tag (weike/wagtail_hooks.py renders it through gettext); the
// pickers are built lazily, so new ones are relabelled as they appear.
(function () {
  "use strict";
  const script = document.currentScript;
  const label = script && script.dataset.saveSelected;
  if (!label) return;
  function relabel(root) {
    root.querySelectorAll(".xdsoft_save_selected").forEach((button) => {
      if (button.textContent !== label) button.textContent = label;
    });
  }
  function start() {
    relabel(document);
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType === Node.ELEMENT_NODE) relabel(node.parentNode || node);
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
