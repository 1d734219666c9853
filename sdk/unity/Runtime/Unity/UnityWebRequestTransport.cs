// ITransport over UnityWebRequest: the SDK's worker posts each batch to the main-thread
// dispatcher, which starts a coroutine sending it and completes the worker's callback.
// Thread-safety: Send is called from the worker; the request lives on the main thread.
using System;
using System.Collections;
using System.Security.Cryptography.X509Certificates;
using UnityEngine;
using UnityEngine.Networking;

namespace Gamelake.Unity
{
    /// <summary>Sends batches with UnityWebRequest, Unity's own HTTP stack on every platform (WebGL games,
    /// which have no threads for the SDK's worker, use the TypeScript SDK instead).</summary>
    public sealed class UnityWebRequestTransport : ITransport
    {
        private readonly GamelakeMainThread mainThread_;
        private readonly TlsTrust trust_;
        private readonly bool insecure_;

        public UnityWebRequestTransport(GamelakeMainThread mainThread) : this(mainThread, null, false)
        {
        }

        /// <summary>caCertFile: PEM CAs that signed the server's certificate (null: Unity's
        /// own checks). insecure: FOR TESTS ONLY, accept any certificate
        /// (Config.InsecureSkipTlsVerify).</summary>
        public UnityWebRequestTransport(GamelakeMainThread mainThread, string caCertFile, bool insecure)
        {
            mainThread_ = mainThread;
            insecure_ = insecure;
            if (!string.IsNullOrEmpty(caCertFile)) trust_ = new TlsTrust(caCertFile);
        }

        /// <summary>
        /// With a custom handler Unity leaves the whole check to it and gives it the leaf
        /// certificate only: it must chain to one of the CAs and be within its dates (Unity
        /// does not hand over the host name; a private CA should sign only your servers).
        /// </summary>
        private sealed class CaCertificateHandler : CertificateHandler
        {
            private readonly TlsTrust trust_;
            private readonly bool insecure_;

            public CaCertificateHandler(TlsTrust trust, bool insecure)
            {
                trust_ = trust;
                insecure_ = insecure;
            }

            /// <summary>Why the last certificate was refused, or null.</summary>
            public string Refusal;

            protected override bool ValidateCertificate(byte[] certificateData)
            {
                if (insecure_) return true;
                try
                {
                    Refusal = trust_.ChainsToCa(new X509Certificate2(certificateData), null);
                }
                catch (Exception e)
                {
                    Refusal = "the certificate could not be read: " + e.Message;
                }
                return Refusal == null;
            }
        }

        public void Send(TransportRequest request, Action<TransportResponse> onDone)
        {
            mainThread_.Post(() => mainThread_.StartCoroutine(Run(request, onDone)));
        }

        private IEnumerator Run(TransportRequest request, Action<TransportResponse> onDone)
        {
            UnityWebRequest uwr;
            CaCertificateHandler handler = null;
            try
            {
                uwr = Build(request);
                if (insecure_ || trust_ != null)
                {
                    handler = new CaCertificateHandler(trust_, insecure_);
                    uwr.certificateHandler = handler;
                    uwr.disposeCertificateHandlerOnDispose = true;
                }
            }
            catch (Exception e)
            {
                onDone(TransportResponse.NetworkError(e.Message));
                yield break;
            }
            using (uwr)
            {
                yield return uwr.SendWebRequest();
                TransportResponse r = Result(uwr);
                if (r.Status == 0 && handler != null && handler.Refusal != null)
                {
                    r.TlsError = true;
                    r.Error = "TLS: " + r.Error + " (" + handler.Refusal + ")";
                }
                onDone(r);
            }
        }

        private static UnityWebRequest Build(TransportRequest request)
        {
            byte[] body = request.Body;
            if (body.Length != request.BodyLength)
            {
                body = new byte[request.BodyLength];
                Buffer.BlockCopy(request.Body, 0, body, 0, request.BodyLength);
            }
            var uwr = new UnityWebRequest(request.Url, "POST");
            uwr.uploadHandler = new UploadHandlerRaw(body);
            uwr.downloadHandler = new DownloadHandlerBuffer();
            foreach (var h in request.Headers)
            {
                if (h.Key == "Content-Type") uwr.uploadHandler.contentType = h.Value;
                uwr.SetRequestHeader(h.Key, h.Value);
            }
            uwr.timeout = Math.Max(1, (request.TimeoutMs + 999) / 1000);
            return uwr;
        }

        private static TransportResponse Result(UnityWebRequest uwr)
        {
            if (uwr.result == UnityWebRequest.Result.ConnectionError || uwr.responseCode == 0)
            {
                return TransportResponse.NetworkError(uwr.error);
            }
            return new TransportResponse
            {
                Status = (int)uwr.responseCode,
                RetryAfter = uwr.GetResponseHeader("Retry-After"),
                Body = uwr.downloadHandler.text ?? "",
            };
        }

        public void Dispose() { }
    }
}
