// Case editor: a problem's link takes keyboard focus to the field at fault,
// not just the scroll position, so the author can type the fix at once.
function focusTarget(hash) {
  if (!hash || hash.length < 2) return;
  const target = document.getElementById(decodeURIComponent(hash.slice(1)));
  if (!target) return;
  const details = target.closest("details");
  if (details) details.open = true;
  const field = target.matches("input, select, textarea, button")
    ? target
    : target.querySelector("input:not([type=hidden]), select, textarea");
  (field ?? target).focus({ preventScroll: true });
  target.scrollIntoView({ block: "center" });
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("#problems a[href^='#']");
  if (link) {
    event.preventDefault();
    history.replaceState(null, "", link.getAttribute("href"));
    focusTarget(link.getAttribute("href"));
  }
});

window.addEventListener("load", () => focusTarget(window.location.hash));
