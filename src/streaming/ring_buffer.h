// RingBuffer<T>: a FIFO on one power-of-two vector, for the per-partition and
// per-group queues of the window operators. Unlike std::deque it allocates
// nothing while empty (windows keep one per partition and aggregate, and a
// query can have hundreds of thousands of partitions), and it gives memory
// back when a burst drains.
//
// Thread-safety: a plain container.
#ifndef GAMELAKE_STREAMING_RING_BUFFER_H_
#define GAMELAKE_STREAMING_RING_BUFFER_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace gamelake {

template <typename T>
class RingBuffer {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  size_t capacity() const { return buf_.size(); }

  T& operator[](size_t i) { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  const T& operator[](size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(T v) {
    if (size_ == buf_.size()) Resize(buf_.empty() ? 4 : buf_.size() * 2);
    buf_[(head_ + size_) & (buf_.size() - 1)] = std::move(v);
    ++size_;
  }
  void pop_back() {
    back() = T();
    --size_;
    MaybeShrink();
  }
  void pop_front() {
    front() = T();  // Frees what the element holds (a string, a row).
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    MaybeShrink();
  }
  void clear() {
    buf_.clear();
    buf_.shrink_to_fit();
    head_ = size_ = 0;
  }

 private:
  void MaybeShrink() {
    if (size_ == 0 && buf_.size() > 64) {
      clear();
    } else if (buf_.size() > 64 && size_ < buf_.size() / 4) {
      Resize(buf_.size() / 2);
    }
  }
  void Resize(size_t capacity) {
    std::vector<T> next(capacity);
    for (size_t i = 0; i < size_; ++i) next[i] = std::move((*this)[i]);
    buf_ = std::move(next);
    head_ = 0;
  }

  std::vector<T> buf_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_RING_BUFFER_H_
