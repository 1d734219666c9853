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
        public T AddComponent<T>() where T : Component, new()
        {
            return new T { gameObject = this };
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
        public string contentType { get; set; }
        public void Dispose() { }
    }

    public class UploadHandlerRaw : UploadHandler
    {
        public UploadHandlerRaw(byte[] data) { }
    }

    public class DownloadHandler : IDisposable
    {
        public string text { get { return ""; } }
        public void Dispose() { }
    }

    public class DownloadHandlerBuffer : DownloadHandler { }

    public class UnityWebRequestAsyncOperation : AsyncOperation { }

    public class UnityWebRequest : IDisposable
    {
        public enum Result { InProgress, Success, ConnectionError, ProtocolError, DataProcessingError }

        public UnityWebRequest(string url, string method) { }
        public UploadHandler uploadHandler { get; set; }
        public DownloadHandler downloadHandler { get; set; }
        public int timeout { get; set; }
        public Result result { get { return Result.ConnectionError; } }
        public long responseCode { get { return 0; } }
        public string error { get { return "stub"; } }
        public void SetRequestHeader(string name, string value) { }
        public string GetResponseHeader(string name) { return null; }
        public UnityWebRequestAsyncOperation SendWebRequest() { return new UnityWebRequestAsyncOperation(); }
        public void Dispose() { }
    }
}
