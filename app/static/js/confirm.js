// Forms marked data-confirm="question" ask before they are sent (deactivate, delete, retire).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
