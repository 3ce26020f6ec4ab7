"""What every page a browser test opens must pass: no 4xx/5xx, no sideways scroll, no English, no broken labels."""

# Words of ours that are not English prose: format names, the language switch, the paper's E-mail.
# Product names a zh-hans page may carry (the calendar apps one subscribes with, the robots’ Webhook).
ALLOWED_WORDS = {"Excel", "English", "mail", "Outlook", "Google", "iPhone", "Webhook"}

PAGE_CHECKS = """
const problems = [];
const doc = document.documentElement;
if (doc.scrollWidth > doc.clientWidth + 1) problems.push("the page scrolls sideways");
for (const entry of performance.getEntries()) {
  if (arguments[1] && entry.responseStatus >= 400) problems.push(entry.responseStatus + " " + entry.name);
}
const text = document.body.innerText.replace(/\\S+@\\S+/g, "").replace(/https?:\\S+/g, "");
for (const word of text.match(/\\b[A-Za-z][a-z]{3,}\\b/g) || []) {
  if (!arguments[0].includes(word)) problems.push("English: " + word);
}
function lines(el) {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}
for (const el of document.querySelectorAll(".btn, table.numbers th, table.numbers td")) {
  if (el.offsetParent !== null && el.innerText.trim() && lines(el) > 1) problems.push("wraps: " + el.innerText.trim());
}
return problems;
"""


# What Chromium logs to the console when the Content-Security-Policy or Permissions-Policy refuses something.
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy", "Permissions policy")


def policy_violations(browser) -> list[str]:
    """The policy refusals logged since the last call (reading the console log empties it)."""
    return [e["message"] for e in browser.get_log("browser") if any(w in e["message"] for w in POLICY_WORDS)]
