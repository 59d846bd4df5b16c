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
