// Add and remove rows of a Django inline formset without a page load.
// Markup: a container [data-formset="prefix"] holding rows [data-formset-row],
// a <template data-formset-empty> with the empty form, and a button [data-formset-add].
document.addEventListener("click", function (event) {
  const add = event.target.closest("[data-formset-add]");
  if (!add) return;
  const box = document.querySelector('[data-formset="' + add.dataset.formsetAdd + '"]');
  const total = document.getElementById("id_" + box.dataset.formset + "-TOTAL_FORMS");
  const html = box.querySelector("template[data-formset-empty]").innerHTML.replace(/__prefix__/g, total.value);
  box.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
  total.value = parseInt(total.value, 10) + 1;
});
