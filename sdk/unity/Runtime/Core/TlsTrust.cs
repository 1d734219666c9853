// Checks a server's certificate against the CAs of Config.CaCertFile (a private CA, a
// self-signed server), for HttpClientTransport's validation callback and Unity's
// CertificateHandler. Thread-safety: immutable after construction; Check may run on any
// thread at once.
using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gamelake
{
    /// <summary>The CAs a client trusts beyond the system's, and the check against them.</summary>
    public sealed class TlsTrust
    {
        private readonly List<X509Certificate2> cas_ = new List<X509Certificate2>();

        /// <summary>Reads every certificate of a PEM file (or one DER certificate).</summary>
        public TlsTrust(string caCertFile)
        {
            string text = System.IO.File.ReadAllText(caCertFile);
            const string begin = "-----BEGIN CERTIFICATE-----";
            const string end = "-----END CERTIFICATE-----";
            int at = text.IndexOf(begin, StringComparison.Ordinal);
            if (at < 0) cas_.Add(new X509Certificate2(System.IO.File.ReadAllBytes(caCertFile)));
            while (at >= 0)
            {
                int stop = text.IndexOf(end, at, StringComparison.Ordinal);
                if (stop < 0) break;
                string b64 = text.Substring(at + begin.Length, stop - at - begin.Length);
                cas_.Add(new X509Certificate2(Convert.FromBase64String(b64)));
                at = text.IndexOf(begin, stop, StringComparison.Ordinal);
            }
            if (cas_.Count == 0) throw new InvalidDataException("no certificate in " + caCertFile);
            FileName = caCertFile;
        }

        /// <summary>The PEM file the CAs came from.</summary>
        public string FileName { get; private set; }

        /// <summary>
        /// Null when `leaf` is acceptable: the runtime trusts it already (`errors` None), or it
        /// chains to one of our CAs, is within its dates, and (`errors` has no name mismatch)
        /// names the host. Else why not, for the game's OnError.
        /// </summary>
        public string Check(X509Certificate2 leaf, X509Chain presented, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None) return null;
            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return "the server sent no certificate";
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return "the certificate (" + leaf.Subject + ") is not for this host name";
            }
            return ChainsToCa(leaf, presented);
        }

        /// <summary>Null when `leaf` chains to one of our CAs and every certificate on the way is
        /// within its dates; else why not. Never throws.</summary>
        public string ChainsToCa(X509Certificate2 leaf, X509Chain presented)
        {
            try
            {
                return BuildChain(leaf, presented);
            }
            catch (Exception e)
            {
                // Mono's managed X509Chain cannot verify ECDSA signatures (the CA must be RSA there).
                return "the certificate (" + leaf.Subject + ", issued by " + leaf.Issuer + ") could not be verified against "
                    + FileName + ": " + e.Message;
            }
        }

        private string BuildChain(X509Certificate2 leaf, X509Chain presented)
        {
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                foreach (X509Certificate2 ca in cas_) chain.ChainPolicy.ExtraStore.Add(ca);
                if (presented != null)
                {
                    foreach (X509ChainElement e in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(e.Certificate);
                }
                bool built = chain.Build(leaf);
                foreach (X509ChainStatus s in chain.ChainStatus)
                {
                    if (s.Status == X509ChainStatusFlags.NotTimeValid) return "the certificate (" + leaf.Subject + ") has expired or is not yet valid";
                }
                int n = chain.ChainElements.Count;
                X509Certificate2 root = n > 0 ? chain.ChainElements[n - 1].Certificate : null;
                foreach (X509Certificate2 ca in cas_)
                {
                    if (root != null && root.Thumbprint == ca.Thumbprint) return built || OnlyUntrustedRoot(chain) ? null : Describe(chain);
                }
                return "the certificate (" + leaf.Subject + ", issued by " + leaf.Issuer + ") is not signed by a CA of " + FileName;
            }
        }

        private static bool OnlyUntrustedRoot(X509Chain chain)
        {
            foreach (X509ChainStatus s in chain.ChainStatus)
            {
                if (s.Status != X509ChainStatusFlags.UntrustedRoot && s.Status != X509ChainStatusFlags.NoError) return false;
            }
            return true;
        }

        private static string Describe(X509Chain chain)
        {
            var parts = new List<string>();
            foreach (X509ChainStatus s in chain.ChainStatus) parts.Add(s.Status + ": " + s.StatusInformation.Trim());
            return "the certificate chain is not valid (" + string.Join("; ", parts.ToArray()) + ")";
        }
    }
}
