#ifndef MAAS_CLIBEVENT_SHIM_H
#define MAAS_CLIBEVENT_SHIM_H

// System headers first: libevent's headers define _GNU_SOURCE, and system headers parsed after
// that would declare fd_set differently from Swift's Glibc module.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <signal.h>
#include <pthread.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/dns.h>
#include <event2/util.h>

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>

// evtimer_new is a function-like macro Swift cannot import.
static inline struct event *maas_evtimer_new(struct event_base *base, event_callback_fn cb, void *arg) {
    return event_new(base, -1, 0, cb, arg);
}

// A user event for cross-thread wake-ups: activated with event_active, never by I/O.
static inline struct event *maas_evuser_new(struct event_base *base, event_callback_fn cb, void *arg) {
    return event_new(base, -1, EV_PERSIST, cb, arg);
}

// evsignal_new is a function-like macro Swift cannot import.
static inline struct event *maas_evsignal_new(struct event_base *base, int signum, event_callback_fn cb, void *arg) {
    return event_new(base, signum, EV_SIGNAL | EV_PERSIST, cb, arg);
}

// struct timeval from milliseconds, so Swift does not juggle time_t/suseconds_t widths.
static inline struct timeval maas_timeval_ms(long long ms) {
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
    return tv;
}

// evhttp_add_event_handler-free: the header list is a TAILQ; Swift walks it with these.
static inline struct evkeyval *maas_evkeyvalq_first(struct evkeyvalq *q) { return q->tqh_first; }
static inline struct evkeyval *maas_evkeyval_next(struct evkeyval *kv) { return kv->next.tqe_next; }

// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
static inline int maas_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

// SSL_set_tlsext_host_name is a macro over SSL_ctrl.
static inline int maas_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

// SSL_CTX_set_options takes a uint64_t in OpenSSL 3; the option constants are macros.
static inline void maas_ssl_ctx_set_client_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
}

// TCP_NODELAY on an accepted or connected socket (docs/LIBEVENT.md: 30x latency without it on TLS).
static inline int maas_set_nodelay(evutil_socket_t fd) {
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Server side: TLS 1.2+, the server's cipher order, no renegotiation or compression; ECDHE and AEAD
// suites only for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults, all modern). The option constants
// are macros Swift cannot see.
static inline int maas_ssl_ctx_configure_server(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return 0;
    return SSL_CTX_set_cipher_list(ctx,
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
}

// SSL_CTX_add0_chain_cert is a macro over SSL_CTX_ctrl; the certificate's ownership passes to ctx.
static inline int maas_ssl_ctx_add0_chain_cert(SSL_CTX *ctx, X509 *certificate) {
    return (int)SSL_CTX_add0_chain_cert(ctx, certificate);
}

// SIGPIPE would kill the process on a write to a closed socket.
static inline void maas_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

// A parent may start us with signals blocked (the mask is inherited across exec): unblock the
// ones we handle, or they stay pending forever. sigset_t macros are not visible to Swift.
static inline int maas_unblock_signal(int signum) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signum);
    return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

// Ends our direction only: the client reads EOF after our last answer and may still send.
static inline int maas_shutdown_write(evutil_socket_t fd) { return shutdown(fd, SHUT_WR); }

// ---- The engine's sockets (IO/Transport, IO/Listener): plain POSIX calls with flag macros Swift cannot see.

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

// One persistent, edge-triggered event for both directions of a connection (and the peer's close,
// EPOLLRDHUP, so a FIN that came with the last data is not missed): registered once, so
// the loop never toggles interest with epoll_ctl (evhttp's 5 epoll_ctl per request).
static inline struct event *maas_event_new_edge(struct event_base *base, evutil_socket_t fd, event_callback_fn cb, void *arg) {
    return event_new(base, fd, EV_READ | EV_WRITE | EV_CLOSED | EV_PERSIST | EV_ET, cb, arg);
}

// A level-triggered persistent read event (listening sockets: accept until EAGAIN each time).
static inline struct event *maas_event_new_read(struct event_base *base, evutil_socket_t fd, event_callback_fn cb, void *arg) {
    return event_new(base, fd, EV_READ | EV_PERSIST, cb, arg);
}

// A non-blocking listening socket. `reuse_port` 0 first (SPEC 6: a port another process holds is a
// start-up error; SO_REUSEPORT alone would share it silently), then 1 for every worker's socket.
// Returns the fd, or -1 with *error set to errno.
static inline int maas_listen(const struct sockaddr *address, socklen_t length, int reuse_port, int backlog, int *error) {
    int fd = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { *error = errno; return -1; }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) { *error = errno; close(fd); return -1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (bind(fd, address, length) != 0 || listen(fd, backlog) != 0) { *error = errno; close(fd); return -1; }
    return fd;
}

// accept4 with the flags every accepted socket needs; -1 with errno (EAGAIN when none is waiting).
static inline int maas_accept(int listener) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd;
}

// A non-blocking connect; returns the fd (the connect may still be in progress) or -1 with *error.
static inline int maas_connect(const struct sockaddr *address, socklen_t length, int *error) {
    int fd = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { *error = errno; return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, address, length) != 0 && errno != EINPROGRESS) { *error = errno; close(fd); return -1; }
    *error = 0;
    return fd;
}

// The outcome of a non-blocking connect (SO_ERROR): 0 once connected, else the errno it failed with.
static inline int maas_socket_error(int fd) {
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
    return error;
}

static inline int maas_errno(void) { return errno; }
static inline int maas_would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

// Writes with MSG_NOSIGNAL: a peer that left is an EPIPE, not a signal.
static inline ssize_t maas_send(int fd, const void *bytes, size_t count) {
    return send(fd, bytes, count, MSG_NOSIGNAL);
}

// SSL_set_mode is a macro over SSL_ctrl: partial writes, a moving write buffer (our output buffer
// compacts), and released buffers for idle connections (docs/DESIGN.md: OpenSSL on a non-blocking socket).
static inline void maas_ssl_set_engine_modes(SSL *ssl) {
    SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
}

#endif
