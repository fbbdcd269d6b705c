// Post-sass build step (run by `npm run build` after sass has written
// static/css/eip.min.css): copies the GOV.UK Frontend JS bundle, stamps the
// versions into the CSS banner and static/VERSION, and checks that no GOV.UK
// fonts, crown/crest images or url() references got into static/.
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const version = (name) =>
  JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
const govuk = version('govuk-frontend')
const sass = version('sass')
const stamp = `govuk-frontend ${govuk} (MIT, Crown copyright), sass ${sass}`

// JS: copy the ES module bundle; drop its sourceMappingURL (map not shipped).
const jsSrc = join(root, 'node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js')
const js = readFileSync(jsSrc, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')
mkdirSync(join(root, 'static/js'), { recursive: true })
writeFileSync(join(root, 'static/js/govuk-frontend.min.js'), `/*! ${stamp} */\n${js}`)

// CSS: add a banner naming the versions that built it. Sass starts the file
// with a UTF-8 byte order mark (the CSS has non-ASCII characters): keep it first.
const cssPath = join(root, 'static/css/eip.min.css')
const css = readFileSync(cssPath, 'utf8').replace(/^\uFEFF/, '').replace(/^\/\*! EIP Tracker[^]*?\*\/\n/, '')
writeFileSync(cssPath, `\uFEFF/*! EIP Tracker styles, built from ${stamp}. See /assets/LICENCES.md */\n${css}`)

writeFileSync(join(root, 'static/VERSION'), `govuk-frontend ${govuk}\nsass ${sass}\n`)

// Checks.
const problems = []
if (/GDS Transport|@font-face|url\(/i.test(css)) problems.push('eip.min.css has a font-face, GDS Transport or url()')
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])
for (const f of walk(join(root, 'static'))) {
  if (/\.(woff2?|ttf|otf)$|govuk-(crest|icon|opengraph)/.test(f)) problems.push(`unwanted file ${f}`)
}
if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`built static/ from ${stamp}`)
