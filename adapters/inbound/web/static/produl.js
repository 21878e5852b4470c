// Behaviour the pages need beyond htmx, without inline script (the pages' policy forbids it).
"use strict";

// A button with data-copy="<element id>" copies that element's text.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
});

// A button with data-opens="<dialog id>" opens that <dialog> (a confirmation); a button with
// data-closes closes the dialog it is in. Without script the button's own form still works.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("button[data-opens]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.opens);
    if (dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      dialog.showModal();
    }
    return;
  }
  const closer = event.target.closest("button[data-closes]");
  if (closer) {
    event.preventDefault();
    closer.closest("dialog")?.close();
  }
});
