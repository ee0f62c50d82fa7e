package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// A CA is a certificate authority a test makes for itself.
type CA struct {
	Cert   *x509.Certificate
	PEM    []byte // the CA's certificate
	key    *ecdsa.PrivateKey
	serial atomic.Int64
}

// NewCA makes a CA named name, valid from an hour ago for a day.
func NewCA(tb testing.TB, name string) *CA {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	ca := &CA{Cert: cert, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key: key}
	ca.serial.Store(1000)
	return ca
}

// Issue makes a certificate for cn signed by the CA, valid for the two
// days before notAfter: a server certificate for 127.0.0.1 and localhost,
// or a client certificate.
func (ca *CA) Issue(tb testing.TB, cn string, server bool, notAfter time.Time) (certPEM, keyPEM []byte, cert tls.Certificate) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial.Add(1)),
		Subject:      pkix.Name{Organization: []string{"Example Access Point"}, CommonName: cn},
		NotBefore:    notAfter.Add(-48 * time.Hour), NotAfter: notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		tb.Fatal(err)
	}
	return certPEM, keyPEM, cert
}

// A TestCA is a certificate authority a test makes for itself, and a
// server certificate it signed for 127.0.0.1 and localhost.
type TestCA struct {
	Server  *tls.Config // presents the server certificate
	Client  *tls.Config // trusts the CA only
	CertPEM []byte      // the server certificate, then the CA's
	KeyPEM  []byte      // the server key
}

// NewTestCA makes a CA and a server certificate signed by it.
func NewTestCA(tb testing.TB) *TestCA {
	tb.Helper()
	ca := NewCA(tb, "eingang test CA")
	certPEM, keyPEM, _ := ca.Issue(tb, "localhost", true, time.Now().Add(24*time.Hour))
	chain := append(certPEM, ca.PEM...)
	cert, err := tls.X509KeyPair(chain, keyPEM)
	if err != nil {
		tb.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	return &TestCA{
		Server:  &tls.Config{Certificates: []tls.Certificate{cert}},
		Client:  &tls.Config{RootCAs: roots},
		CertPEM: chain,
		KeyPEM:  keyPEM,
	}
}
