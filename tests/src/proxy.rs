//! A fault-injecting TCP proxy between a kiosk and the back end.
//!
//! Each connection gets one fate, drawn from a seeded generator: passed through, slowed
//! down, reset before the request reaches the back end, answered `500` by the proxy,
//! or forwarded to the back end with its response cut short (the back end may have
//! stored the item, but the kiosk never sees the acknowledgement). Together they cover
//! every way a network can lose a request or its answer.

use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Pass,
    Delay,
    ResetBeforeRequest,
    Answer500,
    CutResponse,
}

/// How many connections met each fate, to show the test really injected faults.
#[derive(Default, Debug)]
pub struct Counts {
    pub pass: AtomicUsize,
    pub delay: AtomicUsize,
    pub reset: AtomicUsize,
    pub answer_500: AtomicUsize,
    pub cut: AtomicUsize,
}

pub struct Proxy {
    pub url: String,
    pub faults: Arc<AtomicBool>,
    pub counts: Arc<Counts>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `target`; faults start switched off.
    pub fn start(target: SocketAddr, seed: u64) -> anyhow::Result<Proxy> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let faults = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(Counts::default());
        let (f, c) = (Arc::clone(&faults), Arc::clone(&counts));
        runtime.spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            while let Ok((client, _)) = listener.accept().await {
                let fate = if f.load(Ordering::SeqCst) {
                    match rng.gen_range(0..100) {
                        0..=29 => Fate::Pass,
                        30..=44 => Fate::Delay,
                        45..=59 => Fate::ResetBeforeRequest,
                        60..=74 => Fate::Answer500,
                        _ => Fate::CutResponse,
                    }
                } else {
                    Fate::Pass
                };
                let cut_at = rng.gen_range(0..120usize);
                let delay = Duration::from_millis(rng.gen_range(50..400));
                let counts = Arc::clone(&c);
                tokio::spawn(async move {
                    let _ = handle(client, target, fate, cut_at, delay, &counts).await;
                });
            }
        });
        Ok(Proxy {
            url,
            faults,
            counts,
            _runtime: runtime,
        })
    }

    pub fn set_faults(&self, on: bool) {
        self.faults.store(on, Ordering::SeqCst);
    }
}

async fn handle(
    mut client: TcpStream,
    target: SocketAddr,
    fate: Fate,
    cut_at: usize,
    delay: Duration,
    counts: &Counts,
) -> std::io::Result<()> {
    match fate {
        Fate::Pass | Fate::Delay => {
            if fate == Fate::Delay {
                counts.delay.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
            } else {
                counts.pass.fetch_add(1, Ordering::SeqCst);
            }
            let mut server = TcpStream::connect(target).await?;
            tokio::io::copy_bidirectional(&mut client, &mut server).await?;
        }
        Fate::ResetBeforeRequest => {
            counts.reset.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 64];
            let _ = client.read(&mut buf).await?;
            // Linger 0: the close sends a TCP reset, not a clean end. (The deprecation is
            // about a non-zero linger blocking on drop; zero never blocks.)
            #[allow(deprecated)]
            client.set_linger(Some(Duration::ZERO))?;
            drop(client);
        }
        Fate::Answer500 => {
            counts.answer_500.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = client.read(&mut buf).await?;
            client
                .write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await?;
            client.shutdown().await?;
        }
        Fate::CutResponse => {
            counts.cut.fetch_add(1, Ordering::SeqCst);
            let mut server = TcpStream::connect(target).await?;
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.split();
            // Forward the request in full; forward only the first bytes of the answer.
            let forward = async {
                let mut buf = [0u8; 8192];
                loop {
                    let n = client_read.read(&mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    server_write.write_all(&buf[..n]).await?;
                }
                Ok::<_, std::io::Error>(())
            };
            let back = async {
                let mut sent = 0;
                let mut buf = [0u8; 8192];
                loop {
                    let n = server_read.read(&mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    let take = n.min(cut_at.saturating_sub(sent));
                    client_write.write_all(&buf[..take]).await?;
                    sent += take;
                    if sent >= cut_at {
                        break;
                    }
                }
                Ok::<_, std::io::Error>(())
            };
            tokio::select! {
                _ = forward => {}
                r = back => { r?; }
            }
        }
    }
    Ok(())
}
