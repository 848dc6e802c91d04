//! A TLS-terminating proxy in front of the fake GitHub, with round trips:
//! every byte is held back half a round trip in each direction, and a new
//! connection's first bytes a round trip more (TCP's handshake), so a new
//! connection costs what it costs on a real network: TCP, then TLS, then the
//! request, each a round trip. The certificate comes from a test CA made at
//! run time, which the tool and curl trust through the environment
//! (`SSL_CERT_FILE`, `CURL_CA_BUNDLE`). ALPN offers h2 and http/1.1, as
//! GitHub does; both are forwarded to the fake over plain HTTP/1.1.
//!
//! It counts what a run cost on the wire: connections, TLS handshakes (and
//! how many of them chose h2), requests, the most requests in flight at
//! once, and the time with at least one request outstanding as the client
//! sees it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// What the proxy saw since the last `take`.
#[derive(Debug, Default, Clone)]
pub struct Wire {
    pub connections: usize,
    pub handshakes: usize,
    /// Handshakes that chose HTTP/2 through ALPN.
    pub h2: usize,
    pub requests: usize,
    /// The most requests outstanding at once, as the client sees them.
    pub most_in_flight: usize,
    /// The time with at least one request outstanding, as the client sees
    /// it: each request from half a round trip before it reached the proxy
    /// to half a round trip after its answer left, and each connection from
    /// its TCP handshake to the end of its TLS handshake.
    pub busy: Duration,
}

#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    handshakes: AtomicUsize,
    h2: AtomicUsize,
    requests: AtomicUsize,
    /// Intervals during which the client waited on the network: connection
    /// set-ups, and requests (`true`).
    waits: Mutex<Vec<(Instant, Instant, bool)>>,
}

pub struct Proxy {
    /// `https://127.0.0.1:PORT`, to use as `GITHUB_API_URL`.
    pub url: String,
    /// The test CA's certificate (PEM), to trust.
    pub ca_file: PathBuf,
    rtt_micros: Arc<AtomicU64>,
    offer_h2: Arc<AtomicBool>,
    counts: Arc<Counts>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// A proxy on 127.0.0.1 forwarding to the fake at `fake` (its
    /// `http://` URL); the CA's certificate is written into `dir`.
    pub fn start(fake: &str, dir: &Path) -> Proxy {
        let (config, ca_pem) = certificates();
        let ca_file = dir.join("test-ca.pem");
        std::fs::create_dir_all(dir).expect("a directory for the test CA");
        std::fs::write(&ca_file, ca_pem).expect("write the test CA");
        let mut only_h1 = config.clone();
        only_h1.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptors = [
            TlsAcceptor::from(Arc::new(config)),
            TlsAcceptor::from(Arc::new(only_h1)),
        ];
        let fake: SocketAddr = fake
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the fake's address");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the TLS proxy");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the TLS proxy");
        let addr = listener.local_addr().expect("a local address");
        let rtt_micros = Arc::new(AtomicU64::new(0));
        let offer_h2 = Arc::new(AtomicBool::new(true));
        let counts = Arc::new(Counts::default());
        runtime.spawn(serve(
            listener,
            acceptors,
            fake,
            (Arc::clone(&rtt_micros), Arc::clone(&offer_h2)),
            Arc::clone(&counts),
        ));
        Proxy {
            url: format!("https://{addr}"),
            ca_file,
            rtt_micros,
            offer_h2,
            counts,
            _runtime: runtime,
        }
    }

    /// The round trip for connections made from now on.
    pub fn set_rtt(&self, rtt: Duration) {
        self.rtt_micros.store(rtt.as_micros() as u64, Ordering::SeqCst);
    }

    /// Whether ALPN offers h2 (and http/1.1) to connections made from now
    /// on, or http/1.1 alone.
    pub fn offer_h2(&self, offer: bool) {
        self.offer_h2.store(offer, Ordering::SeqCst);
    }

    /// What was seen since the last call; the counts start again.
    pub fn take(&self) -> Wire {
        let c = &self.counts;
        let mut waits = std::mem::take(&mut *c.waits.lock().expect("the proxy's record"));
        waits.sort();
        // The most requests outstanding at once: a sweep over their starts and ends.
        let mut edges: Vec<(Instant, i32)> = waits
            .iter()
            .filter(|w| w.2)
            .flat_map(|&(start, end, _)| [(start, 1), (end, -1)])
            .collect();
        edges.sort();
        let (mut now, mut most) = (0i32, 0i32);
        for (_, step) in edges {
            now += step;
            most = most.max(now);
        }
        let mut busy = Duration::ZERO;
        let mut current: Option<(Instant, Instant)> = None;
        for (start, end, _) in waits {
            current = match current {
                Some((s, e)) if start <= e => Some((s, e.max(end))),
                Some((s, e)) => {
                    busy += e - s;
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        if let Some((s, e)) = current {
            busy += e - s;
        }
        Wire {
            connections: c.connections.swap(0, Ordering::SeqCst),
            handshakes: c.handshakes.swap(0, Ordering::SeqCst),
            h2: c.h2.swap(0, Ordering::SeqCst),
            requests: c.requests.swap(0, Ordering::SeqCst),
            most_in_flight: usize::try_from(most).unwrap_or_default(),
            busy,
        }
    }
}

/// A test CA, and a certificate for 127.0.0.1 signed by it: the server's
/// configuration (ALPN h2 and http/1.1) and the CA's PEM.
fn certificates() -> (rustls::ServerConfig, String) {
    let ca_key = rcgen::KeyPair::generate().expect("a CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "git-cherry-pick-pr benchmark CA");
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).expect("the CA's certificate");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().expect("a server key");
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("server parameters");
    let cert = params.signed_by(&key, &issuer).expect("the server's certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("the server's certificate and key");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (config, ca_cert.pem())
}

async fn serve(
    listener: tokio::net::TcpListener,
    acceptors: [TlsAcceptor; 2],
    fake: SocketAddr,
    (rtt_micros, offer_h2): (Arc<AtomicU64>, Arc<AtomicBool>),
    counts: Arc<Counts>,
) {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<HttpConnector, Incoming> = Client::builder(TokioExecutor::new()).build(connector);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let accepted = Instant::now();
        let _ = stream.set_nodelay(true);
        counts.connections.fetch_add(1, Ordering::SeqCst);
        let rtt = Duration::from_micros(rtt_micros.load(Ordering::SeqCst));
        let half = rtt / 2;
        // The TLS server speaks to the client through two delay lines.
        let (near, far) = tokio::io::duplex(1 << 20);
        let (client_read, client_write) = stream.into_split();
        let (near_read, near_write) = tokio::io::split(near);
        // TCP's handshake: the client's first bytes leave a round trip after it connected.
        tokio::spawn(delay_line(client_read, near_write, half, accepted + rtt));
        tokio::spawn(delay_line(near_read, client_write, half, accepted));
        let acceptor = acceptors[usize::from(!offer_h2.load(Ordering::SeqCst))].clone();
        let client = client.clone();
        let counts = Arc::clone(&counts);
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(far).await else {
                return;
            };
            counts.handshakes.fetch_add(1, Ordering::SeqCst);
            if tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice()) {
                counts.h2.fetch_add(1, Ordering::SeqCst);
            }
            // From the SYN to the client's reading the server's handshake.
            let setup = (accepted - half, Instant::now() + half);
            counts
                .waits
                .lock()
                .expect("the proxy's record")
                .push((setup.0, setup.1, false));
            let service = hyper::service::service_fn(move |request| {
                forward(request, client.clone(), fake, half, Arc::clone(&counts))
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

/// Copies `from` to `to`, each chunk held back until `half` after it was
/// read, and none leaving before `not_before` + `half`; in order.
async fn delay_line<R, W>(mut from: R, mut to: W, half: Duration, not_before: Instant)
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
    W: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let at = Instant::now().max(not_before) + half;
                    if sender.send((at, buffer[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });
    while let Some((at, bytes)) = receiver.recv().await {
        tokio::time::sleep_until(at).await;
        if to.write_all(&bytes).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
    reader.abort();
}

/// Sends the request on to the fake over HTTP/1.1 and its answer back.
async fn forward(
    mut request: Request<Incoming>,
    client: Client<HttpConnector, Incoming>,
    fake: SocketAddr,
    half: Duration,
    counts: Arc<Counts>,
) -> Result<Response<Incoming>, hyper_util::client::legacy::Error> {
    let arrived = Instant::now();
    counts.requests.fetch_add(1, Ordering::SeqCst);
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    *request.uri_mut() = format!("http://{fake}{path}").parse().expect("a URI for the fake");
    *request.version_mut() = hyper::Version::HTTP_11;
    request.headers_mut().remove(hyper::header::HOST);
    let answer = client.request(request).await;
    counts
        .waits
        .lock()
        .expect("the proxy's record")
        .push((arrived - half, Instant::now() + half, true));
    answer
}
