'use strict';
// Django's nav_sidebar.js (deferred) opens the sidebar after the page has painted, which
// shifts the whole content area sideways (a layout shift on every admin page). This script
// is loaded synchronously inside #main just before the sidebar (only pages with a sidebar
// load it), so the sidebar's remembered state is applied before the content is laid out;
// nav_sidebar.js then finds it already in place.
(function () {
    const main = document.getElementById('main');
    if (main) {
        let open = null;
        try { open = localStorage.getItem('django.admin.navSidebarIsOpen'); } catch (e) { /* storage blocked */ }
        main.classList.toggle('shifted', open !== 'false');
    }
}());
