// After htmx swaps in a new stage, move keyboard and screen-reader focus to its
// heading, so the next decision is where the learner is.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target.querySelector?.("[data-focus-on-swap]") ??
    document.querySelector("[data-focus-on-swap]");
  if (target) {
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }
});
