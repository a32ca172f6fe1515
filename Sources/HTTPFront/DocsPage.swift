/// The HTML reference served at `/docs`, rendered from `OpenAPIDocument`.
///
/// Self-contained: the document is embedded in the page and a small inline
/// script lays out every operation (method, path, summary, parameters,
/// request schema, responses with their error codes) and the schemas. No
/// CDN, no external asset, so it works offline and under a strict CSP.
public enum DocsPage {
    /// The page.
    public static let html: String = head + OpenAPIDocument.json.replacingLessThanSlash() + tail

    private static let head = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>authd API reference</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}
main{max-width:1000px;margin:0 auto;padding:16px 32px 64px}
.op{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:14px 0;padding:12px 16px}
.m{display:inline-block;min-width:64px;text-align:center;font-weight:700;border-radius:4px;padding:2px 6px;color:#fff;margin-right:8px}
.get{background:#2f7d32}.post{background:#1565c0}.delete{background:#c62828}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
pre{background:#f0f2f5;padding:8px;border-radius:6px;overflow:auto}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #e6e9ee;padding:4px 6px;text-align:left;vertical-align:top}
h2{margin-top:32px}.lock{color:#8a6d00;font-size:12px;margin-left:8px}
</style>
</head>
<body>
<header><h1 id="title">authd</h1><div id="desc"></div></header>
<main id="main"></main>
<script type="application/json" id="openapi">
"""#

    private static let tail = #"""
</script>
<script>
(function(){
  var spec = JSON.parse(document.getElementById('openapi').textContent);
  function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function resolve(s){ if (s && s.$ref){ var p = s.$ref.replace('#/', '').split('/'); var o = spec; p.forEach(function(k){ o = o[k]; }); return o; } return s; }
  function refName(s){ return s && s.$ref ? s.$ref.split('/').pop() : null; }
  document.getElementById('title').textContent = spec.info.title + ' ' + spec.info.version;
  document.getElementById('desc').textContent = spec.info.description;
  var main = document.getElementById('main');
  main.appendChild(el('h2', null, 'Operations'));
  Object.keys(spec.paths).forEach(function(path){
    var item = spec.paths[path];
    Object.keys(item).forEach(function(method){
      var op = item[method];
      var box = el('section', 'op'); box.id = op.operationId;
      var h = el('h3'); h.appendChild(el('span', 'm ' + method, method.toUpperCase())); h.appendChild(el('code', null, path));
      if (op.security && op.security.some(function(s){ return Object.keys(s).length > 0; })) h.appendChild(el('span', 'lock', 'bearer'));
      box.appendChild(h);
      box.appendChild(el('p', null, op.summary + (op.description ? ' \u2014 ' + op.description : '')));
      (op.parameters || []).forEach(function(p){ box.appendChild(el('p', null, 'Path parameter ' + p.name + ': ' + (p.schema.format || p.schema.type) + (p.description ? ' \u2014 ' + p.description : ''))); });
      if (op.requestBody){
        var s = op.requestBody.content['application/json'].schema;
        box.appendChild(el('h4', null, 'Request body (application/json): ' + (refName(s) || '')));
        box.appendChild(el('pre', null, JSON.stringify(resolve(s), null, 2)));
      }
      var t = el('table'); var hr = el('tr'); hr.appendChild(el('th', null, 'Status')); hr.appendChild(el('th', null, 'Meaning')); hr.appendChild(el('th', null, 'Body')); t.appendChild(hr);
      Object.keys(op.responses).forEach(function(code){
        var r = resolve(op.responses[code]); var tr = el('tr');
        tr.appendChild(el('td', null, code)); tr.appendChild(el('td', null, r.description));
        var body = ''; if (r.content){ var ct = Object.keys(r.content)[0]; body = ct + (refName(r.content[ct].schema) ? ' ' + refName(r.content[ct].schema) : ''); }
        tr.appendChild(el('td', null, body)); t.appendChild(tr);
      });
      box.appendChild(t); main.appendChild(box);
    });
  });
  main.appendChild(el('h2', null, 'Schemas'));
  Object.keys(spec.components.schemas).forEach(function(name){
    var box = el('section', 'op'); box.id = 'schema-' + name; box.appendChild(el('h3', null, name));
    box.appendChild(el('pre', null, JSON.stringify(spec.components.schemas[name], null, 2))); main.appendChild(box);
  });
  main.appendChild(el('h2', null, 'Security'));
  Object.keys(spec.components.securitySchemes).forEach(function(name){
    var s = spec.components.securitySchemes[name]; main.appendChild(el('p', null, name + ': ' + s.type + ' ' + s.scheme + ' \u2014 ' + (s.description || '')));
  });
})();
</script>
<noscript><p>This page renders the OpenAPI document at <a href="/docs.json">/docs.json</a>; enable JavaScript or read the JSON directly.</p></noscript>
</body>
</html>
"""#
}

extension String {
    /// `</` becomes `<\/` so the embedded JSON can never close its script tag.
    fileprivate func replacingLessThanSlash() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        var previous: Character?
        for character in self {
            if character == "/", previous == "<" { result.append("\\") }
            result.append(character)
            previous = character
        }
        return result
    }
}
