// Case editor: a problem's link takes keyboard focus to the field at fault,
// not just the scroll position, so the author can type the fix at once.
function focusTarget(hash) {
  if (!hash || hash.length < 2) return;
  const target = document.getElementById(decodeURIComponent(hash.slice(1)));
  if (!target) return;
  const details = target.closest("details");
  if (details) details.open = true;
  let field = target.matches("input, select, textarea, button")
    ? target
    : target.querySelector("input:not([type=hidden]), select, textarea");
  // A list turned into a search box (multiselect.js) takes focus in its box.
  if (field?.tomselect) field = field.tomselect.control_input;
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
// Leaving the page, or posting another form (deleting an option, say), while a
// marked form is still on the page asks first. "Add an option" and "Add stage"
// post with htmx and insert the new form, so they leave the others as typed.
const unsaved = new Set();

document.addEventListener("input", (event) => {
  // Searching a multi-select's list changes nothing until an item is chosen,
  // and choosing one fires "input" on the select itself.
  if (event.target.closest?.(".ts-wrapper")) return;
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

// A new option or stage (cases/views/editor.py, HX-Trigger-After-Settle): focus
// goes to its first field, and a new stage joins every menu of stages already on
// the page, whose forms keep what was typed in them.
document.addEventListener("casepath:added", (event) => {
  const { focus, stage, start } = event.detail;
  if (stage) {
    for (const menu of document.querySelectorAll("select[data-stage-menu]")) {
      const known = [...menu.options].find((option) => option.value === stage);
      if (known) known.textContent = stage; // was "(no such stage)"
      else menu.append(new Option(stage, stage));
    }
    const first = document.getElementById("case-start");
    if (start && first && !first.value) first.value = stage;
  }
  if (focus) focusTarget(`#${focus}`);
});

// Only pick-several questions have "At least / At most": shown for that kind
// (or while they hold a number), hidden for the others. Without JavaScript all show.
function showKindFields(kind) {
  const decision = kind.closest("fieldset") ?? kind.form;
  for (const field of decision?.querySelectorAll("[data-kind-only]") ?? []) {
    const value = field.querySelector("input")?.value ?? "";
    field.hidden = kind.value !== field.dataset.kindOnly && value === "";
  }
}

document.addEventListener("change", (event) => {
  if (event.target.matches?.("select[data-decision-kind]")) showKindFields(event.target);
});

document.addEventListener("htmx:load", (event) => {
  const root = event.target;
  if (!(root instanceof Element)) return;
  for (const kind of root.querySelectorAll("select[data-decision-kind]")) showKindFields(kind);
});
