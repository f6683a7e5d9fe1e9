//! A TCP proxy that changes bytes in the back end's answers while switched on: a stand-in
//! for a network (or a mirror) that alters what the kiosk downloads.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct TamperProxy {
    pub url: String,
    /// While true, every occurrence of `from` in an answer becomes `to`.
    pub on: Arc<AtomicBool>,
    _runtime: tokio::runtime::Runtime,
}

impl TamperProxy {
    /// Forwards 127.0.0.1:<free port> to `target`; `from` and `to` have the same length, so
    /// `Content-Length` stays right and only the changed bytes differ.
    pub fn start(target: SocketAddr, from: &[u8], to: &[u8]) -> anyhow::Result<TamperProxy> {
        anyhow::ensure!(from.len() == to.len() && !from.is_empty(), "same length");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let on = Arc::new(AtomicBool::new(false));
        let (from, to) = (from.to_vec(), to.to_vec());
        let switch = Arc::clone(&on);
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(target).await else {
                    continue;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                });
                let (from, to, switch) = (from.clone(), to.clone(), Arc::clone(&switch));
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match server_read.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let chunk = &mut buf[..n];
                        if switch.load(Ordering::SeqCst) {
                            let mut at = 0;
                            while let Some(i) = chunk[at..]
                                .windows(from.len())
                                .position(|w| w == from.as_slice())
                            {
                                chunk[at + i..at + i + to.len()].copy_from_slice(&to);
                                at += i + to.len();
                            }
                        }
                        if client_write.write_all(chunk).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Ok(TamperProxy {
            url,
            on,
            _runtime: runtime,
        })
    }
}
