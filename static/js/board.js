// Drag a card onto another column: posts the move through htmx and swaps the board.
// Phones use the per-card buttons instead (touch devices do not fire drag events).
(function () {
  let dragged = null;
  document.addEventListener("dragstart", function (e) {
    const card = e.target.closest("[data-card]");
    if (!card) return;
    dragged = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.card);
  });
  document.addEventListener("dragover", function (e) {
    const col = e.target.closest("[data-stage]");
    if (col && dragged) { e.preventDefault(); col.classList.add("drop-target"); }
  });
  document.addEventListener("dragleave", function (e) {
    const col = e.target.closest("[data-stage]");
    if (col) col.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (e) {
    const col = e.target.closest("[data-stage]");
    if (!col || !dragged) return;
    e.preventDefault();
    col.classList.remove("drop-target");
    if (col.dataset.stage !== dragged.dataset.stageId) {
      htmx.ajax("POST", dragged.dataset.moveUrl + window.location.search,
        {target: "#board", swap: "outerHTML", values: {to_stage: col.dataset.stage}});
    }
    dragged = null;
  });
  // A refused move (a teammate's card) answers 403 with the board and the reason: show it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 403 && e.detail.target && e.detail.target.id === "board") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
