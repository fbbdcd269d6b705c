// Initialise all GOV.UK Frontend components on the page (error summary focus,
// notification banner, service navigation menu toggle, buttons, etc.).
// Loaded as <script type="module" src="/assets/js/eip-init.mjs">; the
// `govuk-frontend-supported` class on <body> enables the JS-only styles.
import { initAll, isSupported } from './govuk-frontend.min.js'

if (isSupported()) {
  document.body.classList.add('govuk-frontend-supported')
  initAll()
}
