//! The `ecoute` binary: parses the command line and hands over to `ecoute::cli`.

fn main() -> std::process::ExitCode {
    return_big_blocks_to_the_system();
    ecoute::cli::main()
}

/// Every argon2id computation (return codes, logins) takes a 19 MiB block. glibc raises its
/// mmap threshold after the first such block is freed, and from then on keeps those blocks in
/// per-thread arenas: a burst of new visitors left the server holding hundreds of MiB it no
/// longer used (docs/PERFORMANCE.md). A fixed threshold makes blocks of 1 MiB and more come
/// from mmap and go back to the system when freed.
#[allow(unsafe_code)]
fn return_big_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called once, first thing in
    // main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
