/**
 * Insecure host/path switching on a shared L7 VS. Builds the label lower(host .. "/" .. first path segment)
 * (request host without its port) and lets the shared pool group pick the member with the best matching
 * priority label. PathType is not honoured here, as in AKO: matching is by label prefix.
 */
export function sharedVsScript(poolGroup: string): string {
  return [
    '-- ako-serverless: route plain-HTTP requests of a shared VS by host and first path segment',
    'local hostname = avi.http.get_host_tokens(1, -1)',
    'if hostname == nil then return end',
    'hostname = string.match(hostname, "^[^:]+") or hostname',
    'local segment = avi.http.get_path_tokens(1, 1)',
    'local wanted = hostname .. "/"',
    'if segment ~= nil then wanted = wanted .. segment end',
    `avi.poolgroup.select("${poolGroup}", string.lower(wanted))`,
  ].join('\n');
}

/** TLS passthrough: read the SNI from the ClientHello and select the pool group `<prefix><sni>`. */
export function passthroughScript(poolGroupPrefix: string): string {
  return [
    '-- ako-serverless: pick the passthrough pool group named after the TLS SNI host',
    'local buffered = avi.l4.collect(20)',
    'local payload = avi.l4.read()',
    'local record = avi.tls.parse_record(payload)',
    'if record == nil then return end',
    'local sni = avi.tls.get_sni(record)',
    'if sni == nil then avi.vs.close_conn() return end',
    `avi.poolgroup.select("${poolGroupPrefix}" .. sni)`,
    'avi.l4.ds_done()',
  ].join('\n');
}
