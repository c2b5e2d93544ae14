// Staff console: the only script. Asks for confirmation before irreversible-looking actions
// (forms with data-confirm). Without JavaScript the forms still work, just without the question.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
