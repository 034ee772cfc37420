import Foundation

/// A throw-away CA and server certificates made with the `openssl` command at test time.
struct TestCertificates {
    let directory: URL

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes ca.pem, good and rotated (both 127.0.0.1 and localhost), wronghost (other.example), selfsigned and
    /// expired certificates with their keys.
    static func make(in directory: URL) throws -> TestCertificates {
        let script = #"""
            set -e
            cd "$1"
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
            key ca.key
            openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=maas-test-ca \
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
            issue() { # name san days
              key "$1.key"
              openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
              printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$2" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
                -days "$3" -extfile "$1.ext" 2>/dev/null
            }
            issue good "IP:127.0.0.1,DNS:localhost" 2
            issue rotated "IP:127.0.0.1,DNS:localhost" 2
            issue wronghost "DNS:other.example" 2
            key selfsigned.key
            openssl req -x509 -new -key selfsigned.key -out selfsigned.pem -days 2 -subj /CN=127.0.0.1 \
              -addext subjectAltName=IP:127.0.0.1 2>/dev/null
            # Expired: a CA run with explicit dates in the past.
            key expired.key
            openssl req -new -key expired.key -out expired.csr -subj /CN=expired 2>/dev/null
            mkdir -p ca-db && : > ca-db/index.txt && echo 01 > ca-db/serial
            cat > ca.cnf <<CNF
            [ca]
            default_ca = test
            [test]
            dir = ca-db
            database = ca-db/index.txt
            serial = ca-db/serial
            new_certs_dir = ca-db
            default_md = sha256
            policy = any
            copy_extensions = none
            x509_extensions = server
            [any]
            commonName = supplied
            [server]
            subjectAltName = IP:127.0.0.1
            basicConstraints = CA:FALSE
            CNF
            openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
              -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
            printf 'this is not a certificate\n' > garbage.pem
            """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh", directory.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCertificatesError.opensslFailed(process.terminationStatus)
        }
        return TestCertificates(directory: directory)
    }
}

enum TestCertificatesError: Error {
    case opensslFailed(Int32)
}
