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

// Unsaved changes: typing in a form of the editor marks it until that form is
// saved (a plain post, or an htmx save that succeeded and swapped it out).
// Leaving the page, or posting another form such as "Add an option", while a
// marked form is still on the page asks first.
const unsaved = new Set();

document.addEventListener("input", (event) => {
  const form = event.target.closest?.(".editor form");
  if (form) unsaved.add(form);
});

document.addEventListener("submit", (event) => unsaved.delete(event.target));

document.addEventListener("htmx:afterRequest", (event) => {
  // A Markdown preview posts from its textarea, not its form: it saves nothing.
  const source = event.detail.elt;
  if (event.detail.successful && source.matches("form")) unsaved.delete(source);
});

window.addEventListener("beforeunload", (event) => {
  for (const form of unsaved) {
    if (form.isConnected) {
      event.preventDefault();
      event.returnValue = "";
      return;
    }
  }
});
