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
  // 序号: the new row's number follows the highest one above it
  rows.lastElementChild.querySelectorAll("input[data-autonumber]").forEach(function (input) {
    const field = input.name.replace(/^.*-\d+-/, "");
    let highest = 0;
    rows.querySelectorAll('input[data-autonumber][name$="-' + field + '"]').forEach(function (other) {
      highest = Math.max(highest, parseInt(other.value, 10) || 0);
    });
    input.value = highest + 1;
  });
  box.dispatchEvent(new CustomEvent("formset:added", { bubbles: true, detail: { row: rows.lastElementChild } }));
});
