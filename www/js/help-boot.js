// Classic script right after the help card (closed in the HTML): opens it,
// or leaves it closed, before the first paint (deciding once the wasm module
// had loaded, it snapped shut on a phone and pushed the page up; were this
// file slow to come, a phone still sees it closed). Open for a first visit on a large screen;
// closed for a link to a run (a class shown a prepared scenario needs the
// map, not the help), and on a phone, upright or sideways (there it took 1.5
// screens). A reader's own choice, once made, is kept (main.js saves it).
(function () {
  var help = document.getElementById('help');
  if (!help) return;
  var open;
  try {
    var saved = localStorage.getItem('allocator-playground:help');
    if (saved) open = saved === 'open';
  } catch (e) { /* storage may be blocked */ }
  if (open === undefined) {
    open = !matchMedia('(max-width: 720px), (max-height: 500px)').matches && !/[#&](ops|wl)=[^&]/.test(location.hash);
  }
  help.open = open;
}());
