// The case editor's "Algorithm actions" and "Citations" lists: each is a native
// <select multiple> in the page, which works (and posts) without JavaScript.
// Here Tom Select (static/vendor/tom-select/) turns every select marked
// data-multiselect into a search box: type part of a title or a key, arrows to
// move, Enter to add; Backspace removes the last one chosen, and each chosen
// one has its own "Remove" button. Every change is announced to screen readers.
// The hidden select stays the form's field, so the server sees the same post.
//
// Our CSP allows no inline style: Tom Select writes no style attributes and no
// <style>, and positions its list through element.style (the CSSOM), which
// style-src 'self' permits. Its look is in casepath.css.

(() => {
  if (typeof TomSelect === "undefined") return; // the native selects keep working

  // One polite live region for the page, outside every form htmx swaps, in place
  // before its first message (a region added with its message is often not read).
  const announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  document.body.append(announcer);

  function announce(text) {
    announcer.textContent = "";
    // A fresh text node a moment later is read even when it repeats the last one.
    setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  const titleOf = (data) => data.title || data.text || data.value;

  function labelOf(select) {
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    return label ? label.textContent.trim() : "the list";
  }

  function removeChosen(ts, item) {
    // Keep the keyboard where it was: on the next chosen one's button, else the box.
    const items = [...ts.control.querySelectorAll("[data-ts-item]")];
    const at = items.indexOf(item);
    const neighbour = items[at + 1] ?? items[at - 1];
    ts.removeItem(item.dataset.value);
    ts.refreshOptions(false);
    ts.inputState();
    const button = neighbour?.querySelector(".multiselect__remove");
    if (button) button.focus();
    else ts.control_input.focus();
  }

  function enhance(select) {
    if (select.tomselect) return;
    const what = labelOf(select);
    const ts = new TomSelect(select, {
      maxOptions: null, // all 60-odd actions, not the first 50
      // Filter as each key is typed (a few dozen entries), so Enter pressed straight
      // after typing adds the match, not whatever was first before the search.
      refreshThrottle: 0,
      hideSelected: true,
      closeAfterSelect: false,
      clearAfterSelect: true, // ready for the next search; Backspace then removes
      labelField: "title",
      searchField: ["title", "detail"],
      render: {
        option: (data, escape) =>
          `<div><span class="multiselect__title">${escape(titleOf(data))}</span>` +
          ` <span class="multiselect__detail">${escape(data.detail || "")}</span></div>`,
        item: (data, escape) =>
          `<div title="${escape(titleOf(data))}"><span class="multiselect__chosen">${escape(titleOf(data))}</span>` +
          `<button type="button" class="multiselect__remove" aria-label="Remove ${escape(titleOf(data))}">` +
          `<span aria-hidden="true">×</span></button></div>`,
        // Inside the listbox, so an option itself (one nobody can pick).
        no_results: () =>
          '<div class="no-results" role="option" aria-disabled="true">Nothing matches.</div>',
      },
      onItemAdd(value) {
        const data = this.options[value];
        announce(`${titleOf(data ?? { value })} added to ${what}; ${this.items.length} chosen.`);
      },
      onItemRemove(value) {
        const data = this.options[value];
        announce(`${titleOf(data ?? { value })} removed from ${what}; ${this.items.length} chosen.`);
      },
    });

    // The hint under the field: how the search box works, read with it.
    const help = document.getElementById(select.getAttribute("aria-describedby") ?? "");
    if (help?.dataset.multiselectHelp) {
      help.textContent = help.dataset.multiselectHelp;
      ts.control_input.setAttribute("aria-describedby", help.id);
    }
    // The select is only the form's field now: its label names the search box, and
    // focus sent to it (a link to the field, say) goes on to the box.
    select.setAttribute("aria-hidden", "true");
    select.addEventListener("focus", () => ts.focus());

    // Before Tom Select's own click handling, which would only mark the item.
    ts.wrapper.addEventListener(
      "click",
      (event) => {
        const button = event.target.closest(".multiselect__remove");
        if (!button) return;
        event.preventDefault();
        event.stopPropagation();
        removeChosen(ts, button.closest("[data-ts-item]"));
      },
      true,
    );
  }

  function enhanceWithin(root) {
    if (!(root instanceof Element)) return;
    if (root.matches("select[data-multiselect]")) enhance(root);
    for (const select of root.querySelectorAll("select[data-multiselect]")) enhance(select);
  }

  // htmx:load fires for the page once htmx starts, and for every part it inserts
  // (a saved option comes back as a new form, an added option as a new one).
  document.addEventListener("htmx:load", (event) => enhanceWithin(event.target));
  enhanceWithin(document.body);

  // A part htmx replaces takes its list's listeners on the document with it.
  document.addEventListener("htmx:beforeCleanupElement", (event) => {
    event.target.tomselect?.destroy();
  });
})();
