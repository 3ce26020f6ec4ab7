// F18 竞争对手分析表: one score column per competitor, kept in step with the competitors table as it is
// edited, without a page load. A competitor's column is named by its row in that table (cscore_2 is
// the third row's), as the server names the fields: a name typed renames its column, a row added
// adds one to every indicator row (and to the empty row new indicators copy), a row ticked for
// deletion or left unnamed hides its column.
(function () {
  const competitors = document.querySelector('[data-formset="competitors"]');
  const indicators = document.querySelector('[data-formset="indicators"]');
  if (!competitors || !indicators) return;
  const template = indicators.querySelector("template[data-formset-empty]");
  const headRow = indicators.querySelector("thead tr");

  function columns() {
    // [{index, name, shown}] for each row of the competitors table, in order
    return Array.from(competitors.querySelectorAll("[data-formset-rows] [data-formset-row]")).map(function (row) {
      const nameInput = row.querySelector('input[name$="-name"]');
      const index = nameInput.name.match(/-(\d+)-name$/)[1];
      const deleted = row.querySelector('input[name$="-DELETE"]');
      const name = nameInput.value.trim();
      return { index: index, name: name, shown: name !== "" && !(deleted && deleted.checked) };
    });
  }

  function rowPrefix(row) {
    // "indicators-3" for a row of the table, "indicators-__prefix__" for the empty one
    const input = row.querySelector('[name^="indicators-"]');
    return input ? input.name.replace(/^(indicators-[^-]+)-.*$/, "$1") : null;
  }

  function ensureCell(row, column) {
    const field = "cscore_" + column.index;
    let cell = row.querySelector('td[data-field="' + field + '"]');
    if (!cell) {
      const prefix = rowPrefix(row);
      if (!prefix) return;
      cell = document.createElement("td");
      cell.dataset.field = field;
      const input = document.createElement("input");
      input.type = "number";
      input.min = "1";
      input.max = "5";
      input.name = prefix + "-" + field;
      input.id = "id_" + input.name;
      input.className = "form-control form-control-sm";
      cell.appendChild(input);
      row.insertBefore(cell, row.querySelector('td[data-field="DELETE"]'));
    }
    cell.dataset.label = column.name;
    cell.hidden = !column.shown;
  }

  function ensureHeader(column) {
    const field = "cscore_" + column.index;
    let th = headRow.querySelector('th[data-field="' + field + '"]');
    if (!th) {
      th = document.createElement("th");
      th.dataset.field = field;
      headRow.insertBefore(th, headRow.querySelector('th[data-field="DELETE"]'));
    }
    th.textContent = column.name;
    th.hidden = !column.shown;
  }

  function sync() {
    const rows = Array.from(indicators.querySelectorAll("[data-formset-rows] [data-formset-row]"));
    const empty = template.content.querySelector("[data-formset-row]");
    columns().forEach(function (column) {
      ensureHeader(column);
      rows.forEach(function (row) { ensureCell(row, column); });
      if (empty) ensureCell(empty, column);
    });
  }

  competitors.addEventListener("input", sync);
  competitors.addEventListener("change", sync);
  competitors.addEventListener("formset:added", sync);
  indicators.addEventListener("formset:added", sync);
  sync();
})();
