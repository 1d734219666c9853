// ITransport over UnityWebRequest: the SDK's worker posts each batch to the main-thread
// dispatcher, which starts a coroutine sending it and completes the worker's callback.
// Thread-safety: Send is called from the worker; the request lives on the main thread.
using System;
using System.Collections;
using UnityEngine;
using UnityEngine.Networking;

namespace Gamelake.Unity
{
    /// <summary>Sends batches with UnityWebRequest, Unity's own HTTP stack on every platform (WebGL games,
    /// which have no threads for the SDK's worker, use the TypeScript SDK instead).</summary>
    public sealed class UnityWebRequestTransport : ITransport
    {
        private readonly GamelakeMainThread mainThread_;

        public UnityWebRequestTransport(GamelakeMainThread mainThread)
        {
            mainThread_ = mainThread;
        }

        public void Send(TransportRequest request, Action<TransportResponse> onDone)
        {
            mainThread_.Post(() => mainThread_.StartCoroutine(Run(request, onDone)));
        }

        private static IEnumerator Run(TransportRequest request, Action<TransportResponse> onDone)
        {
            UnityWebRequest uwr;
            try
            {
                uwr = Build(request);
            }
            catch (Exception e)
            {
                onDone(TransportResponse.NetworkError(e.Message));
                yield break;
            }
            using (uwr)
            {
                yield return uwr.SendWebRequest();
                onDone(Result(uwr));
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
