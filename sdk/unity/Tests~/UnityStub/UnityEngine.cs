// A small stub of exactly the UnityEngine types the package's Unity-facing files use, so
// they compile (and the sample's DataPoint can be tested) with Mono, without Unity. Behaviour
// is minimal: coroutines run to completion at once; UnityWebRequest does nothing.
// Thread-safety: none needed (tests call it from one thread).
using System;
using System.Collections;

namespace UnityEngine
{
    public class Object
    {
        public static void Destroy(Object o) { }
        public static void DontDestroyOnLoad(Object o) { }
    }

    public class Coroutine { }

    public class YieldInstruction { }

    public class AsyncOperation : YieldInstruction { }

    public class GameObject : Object
    {
        private readonly System.Collections.Generic.List<Component> components_ = new System.Collections.Generic.List<Component>();

        public T AddComponent<T>() where T : Component, new()
        {
            var c = new T { gameObject = this };
            components_.Add(c);
            return c;
        }

        public T GetComponent<T>() where T : Component
        {
            foreach (Component c in components_) if (c is T) return (T)c;
            return null;
        }
    }

    public class Component : Object
    {
        public GameObject gameObject { get; set; }
    }

    public class Behaviour : Component { }

    public class MonoBehaviour : Behaviour
    {
        public Coroutine StartCoroutine(IEnumerator routine)
        {
            while (routine.MoveNext()) { }
            return new Coroutine();
        }
    }

    public enum RuntimePlatform { OSXEditor, OSXPlayer, WindowsPlayer, WindowsEditor, IPhonePlayer, Android, LinuxPlayer, LinuxEditor, WebGLPlayer }

    public static class Application
    {
        public static string persistentDataPath = System.IO.Path.GetTempPath();
        public static string version = "0.0.0";
        public static RuntimePlatform platform = RuntimePlatform.LinuxPlayer;
    }

    public static class Time
    {
        public static float time;
    }

    public static class Debug
    {
        public static void Log(object message) { Console.Error.WriteLine(message); }
        public static void LogWarning(object message) { Console.Error.WriteLine(message); }
        public static void LogError(object message) { Console.Error.WriteLine(message); }
    }
}

namespace UnityEngine.Networking
{
    public class UploadHandler : IDisposable
    {
        internal byte[] data_;
        public string contentType { get; set; }
        public void Dispose() { }
    }

    public class UploadHandlerRaw : UploadHandler
    {
        public UploadHandlerRaw(byte[] data) { data_ = data; }
    }

    public class DownloadHandler : IDisposable
    {
        internal string text_ = "";
        public string text { get { return text_; } }
        public void Dispose() { }
    }

    public class DownloadHandlerBuffer : DownloadHandler { }

    public class UnityWebRequestAsyncOperation : AsyncOperation { }

    /// <summary>Unity's hook for checking the server's certificate (the stub never calls it).</summary>
    public class CertificateHandler : IDisposable
    {
        protected virtual bool ValidateCertificate(byte[] certificateData) { return false; }
        public void Dispose() { }
    }

    /// <summary>Performs the request synchronously inside SendWebRequest (with HttpClient), so
    /// the coroutine that yields it completes at once on the "main thread" that pumps it.</summary>
    public class UnityWebRequest : IDisposable
    {
        public enum Result { InProgress, Success, ConnectionError, ProtocolError, DataProcessingError }

        private static readonly System.Net.Http.HttpClient Http = new System.Net.Http.HttpClient();
        private readonly string url_;
        private readonly string method_;
        private readonly System.Collections.Generic.Dictionary<string, string> headers_ = new System.Collections.Generic.Dictionary<string, string>();
        private System.Net.Http.HttpResponseMessage response_;

        public UnityWebRequest(string url, string method) { url_ = url; method_ = method; }
        public UploadHandler uploadHandler { get; set; }
        public DownloadHandler downloadHandler { get; set; }
        public int timeout { get; set; }
        public CertificateHandler certificateHandler { get; set; }
        public bool disposeCertificateHandlerOnDispose { get; set; }
        public Result result { get; private set; }
        public long responseCode { get; private set; }
        public string error { get; private set; }

        public void SetRequestHeader(string name, string value) { headers_[name] = value; }

        public string GetResponseHeader(string name)
        {
            System.Collections.Generic.IEnumerable<string> v;
            return response_ != null && response_.Headers.TryGetValues(name, out v) ? string.Join(",", v) : null;
        }

        public UnityWebRequestAsyncOperation SendWebRequest()
        {
            try
            {
                var req = new System.Net.Http.HttpRequestMessage(new System.Net.Http.HttpMethod(method_), url_);
                req.Content = new System.Net.Http.ByteArrayContent(uploadHandler.data_);
                foreach (var h in headers_)
                {
                    if (h.Key.StartsWith("Content-")) req.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
                    else req.Headers.TryAddWithoutValidation(h.Key, h.Value);
                }
                response_ = Http.SendAsync(req).Result;
                responseCode = (long)response_.StatusCode;
                downloadHandler.text_ = response_.Content.ReadAsStringAsync().Result;
                result = responseCode >= 400 ? Result.ProtocolError : Result.Success;
            }
            catch (Exception e)
            {
                result = Result.ConnectionError;
                error = e.GetBaseException().Message;
            }
            return new UnityWebRequestAsyncOperation();
        }

        public void Dispose() { }
    }
}
