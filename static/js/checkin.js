// 拜访签到 on F05: ask the browser where we are, send it (with the optional photo) to the server,
// and put the check-in's id in the report's hidden field. Refused or unavailable location is sent
// too, as such; nothing here ever stops the report from being saved.
(function () {
  "use strict";
  const card = document.querySelector("[data-checkin-url]");
  if (!card) return;
  const button = card.querySelector("#checkin-button");
  const status = card.querySelector("#checkin-status");
  const photo = card.querySelector("#checkin-photo");
  const hidden = document.querySelector("input[name=checkin]");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;

  function send(fields) {
    const data = new FormData();
    Object.entries(fields).forEach(([name, value]) => data.append(name, value));
    if (photo.files.length) data.append("photo", photo.files[0]);
    fetch(card.dataset.checkinUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: {"X-CSRFToken": csrf},
    })
      .then((response) => response.text().then((html) => {
        status.innerHTML = html;
        const made = status.querySelector("[data-checkin-id]");
        if (response.ok && made) {
          hidden.value = made.dataset.checkinId;
          photo.value = "";
          button.textContent = card.dataset.again;
        }
      }))
      .catch(() => { status.textContent = card.dataset.offline; })
      .finally(() => { button.disabled = false; });
  }

  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = card.dataset.locating;
    if (!("geolocation" in navigator)) {
      send({outcome: "unavailable", detail: "no geolocation in this browser"});
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => send({
        outcome: "located",
        latitude: position.coords.latitude.toFixed(6),
        longitude: position.coords.longitude.toFixed(6),
        accuracy: Math.round(position.coords.accuracy),
      }),
      (error) => send({outcome: error.code === error.PERMISSION_DENIED ? "denied" : "unavailable", detail: error.message || String(error.code)}),
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000},
    );
  });
})();
