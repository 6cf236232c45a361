//! The `url` driver: parsing and resolving addresses, query strings, request URLs.

use socketio_wasm::proto::url;

use super::text;

/// `url::parse`, `resolve`, `decode_query`, `decode_component`, and the
/// request URLs built from what they return. The input is split on `\n`:
/// address, page protocol, page host, page port, path, sid.
pub fn url(data: &[u8]) {
    let s = text(data);
    let mut parts = s.split('\n');
    let mut next = || parts.next().unwrap_or("");
    let (uri, protocol, host, port, path, sid) = (next(), next(), next(), next(), next(), next());
    let loc = url::Location { protocol: protocol.into(), host: host.into(), port: port.into() };

    for input in [s.as_str(), uri] {
        let p = url::parse(input);
        assert_eq!(p.source, input);
        assert!(p.path.starts_with('/'), "{input:?} -> {p:?}");
        let _ = (p.secure(), p.cache_id("/socket.io"));
        for r in [
            url::resolve(Some(input), Some(&loc)),
            url::resolve(Some(input), None),
            url::resolve(None, Some(&loc)),
            url::resolve(None, None),
        ] {
            let _ = r.cache_id(path);
            let q = url::decode_query(&r.query);
            let path = path.replace(['?', '#'], "");
            for slash in [false, true] {
                let e = url::Endpoint::new(&r, &path, slash, &q);
                for (ws, sid, ts) in [(false, None, Some(("t", sid))), (true, Some(sid), None)] {
                    let u = e.url(ws, sid, ts);
                    // The query the URL carries decodes to what went in.
                    let mut expected: Vec<(String, String)> = e
                        .query
                        .iter()
                        .filter(|(k, _)| {
                            !matches!(k.as_str(), "EIO" | "transport" | "sid") && Some(k.as_str()) != ts.map(|t| t.0)
                        })
                        .cloned()
                        .collect();
                    expected.push(("EIO".into(), "4".into()));
                    expected.push(("transport".into(), if ws { "websocket" } else { "polling" }.into()));
                    if let Some(sid) = sid {
                        expected.push(("sid".into(), sid.into()));
                    }
                    if let Some((k, v)) = ts {
                        expected.push((k.into(), v.into()));
                    }
                    let back = url::parse(&u);
                    assert_eq!(url::decode_query(&back.query), expected, "{u}");
                    assert_eq!(back.secure(), e.secure);
                }
            }
        }
    }

    let _ = url::decode_query(&s);
    let _ = url::decode_component(&s);
    let mut enc = String::new();
    url::encode_component(&mut enc, &s);
    assert!(enc.bytes().all(|b| b.is_ascii_graphic()));
    assert_eq!(url::decode_component(&enc), s);
}
