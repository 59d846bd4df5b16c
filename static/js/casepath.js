// After htmx swaps in a new stage, move keyboard and screen-reader focus to
// the first heading marked for it (the feedback, else the new stage), so the
// learner continues from what just changed rather than from a removed button.
document.addEventListener("htmx:afterSettle", () => {
  const target = document.querySelector("[data-focus-on-swap]");
  if (target) {
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }
});

// A citation mark opens the closed list of sources it points into (Chromium
// does this itself on fragment navigation; other browsers may not).
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#ref-"]');
  const target = link && document.getElementById(link.getAttribute("href").slice(1));
  const list = target && target.closest("details");
  if (list) list.open = true;
});

// A printed debrief carries everything: open every disclosure before printing.
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details")) details.open = true;
});

// A table or a code block that scrolls sideways in its box (our tables, and
// those of Markdown, static/css: .prose) can be scrolled from the keyboard: it
// takes focus while (and only while) it is wider than its box.
function keyboardScroll() {
  for (const box of document.querySelectorAll(".table-scroll, .prose pre, .prose table")) {
    if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
  }
}
document.addEventListener("DOMContentLoaded", keyboardScroll);
document.fonts?.ready.then(keyboardScroll); // a loaded font can widen a line
document.addEventListener("htmx:afterSettle", keyboardScroll);
window.addEventListener("resize", keyboardScroll);
