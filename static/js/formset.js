// Add and remove rows of a Django inline formset without a page load.
// Markup: a container [data-formset="prefix"] holding rows [data-formset-row],
// a <template data-formset-empty> with the empty form, and a button [data-formset-add].
// A row added is announced with a "formset:added" event on the container (detail: the row).
document.addEventListener("click", function (event) {
  const add = event.target.closest("[data-formset-add]");
  if (!add) return;
  const box = document.querySelector('[data-formset="' + add.dataset.formsetAdd + '"]');
  const total = document.getElementById("id_" + box.dataset.formset + "-TOTAL_FORMS");
  const html = box.querySelector("template[data-formset-empty]").innerHTML.replace(/__prefix__/g, total.value);
  const rows = box.querySelector("[data-formset-rows]");
  rows.insertAdjacentHTML("beforeend", html);
  total.value = parseInt(total.value, 10) + 1;
  box.dispatchEvent(new CustomEvent("formset:added", { bubbles: true, detail: { row: rows.lastElementChild } }));
});
