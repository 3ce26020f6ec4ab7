// Behaviour every page shares, kept out of the markup.
// A form marked [data-submit-once] sends once: a second click while the first is on its way does nothing
// (the server refuses a second hand-in too; this spares the user the message).
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!form.matches("[data-submit-once]")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.setAttribute("aria-disabled", "true");
    button.classList.add("disabled");
  });
});

// A select marked [data-autosubmit] applies its choice at once (a filter of a list or a dashboard).
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field.matches("select[data-autosubmit]") && field.form) field.form.requestSubmit();
});
