//! A small HTTP proxy on 127.0.0.1 for the sync tests: it forwards absolute-form requests
//! (`GET http://host:port/path`) and opens `CONNECT` tunnels, and records the request line
//! of each, so a test can show that the client really went through it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = handle(conn, &log);
                });
            }
        });
        Proxy { url, seen }
    }

    /// The request lines the proxy received (`POST http://127.0.0.1:1234/graphql`, `CONNECT …`).
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn handle(client: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        headers.push(h);
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(format!("{method} {target}"));
    let mut client = client;
    if method == "CONNECT" {
        let upstream = TcpStream::connect(target)?;
        client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?;
        let (mut up_r, mut up_w) = (upstream.try_clone()?, upstream);
        let mut cl_w = client.try_clone()?;
        let t = std::thread::spawn(move || std::io::copy(&mut up_r, &mut cl_w));
        std::io::copy(&mut reader, &mut up_w)?;
        let _ = t.join();
        return Ok(());
    }
    let Some(rest) = target.strip_prefix("http://") else {
        client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")?;
        return Ok(());
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let len: usize = headers
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let mut upstream = TcpStream::connect(host)?;
    let mut req = format!("{method} /{path} HTTP/1.1\r\n");
    for h in &headers {
        let name = h.split(':').next().unwrap_or("").to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "connection" | "proxy-connection" | "proxy-authorization"
        ) {
            req.push_str(h);
        }
    }
    req.push_str("connection: close\r\n\r\n");
    upstream.write_all(req.as_bytes())?;
    upstream.write_all(&body)?;
    std::io::copy(&mut upstream, &mut client)?;
    Ok(())
}
