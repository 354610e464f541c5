//! [`AliasBody`]: the body of an [`AliasService`](super::AliasService)'s response.

use std::borrow::Cow;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use crate::openai::RestoreStream;

/// The body of an [`AliasService`](super::AliasService)'s response: the inner service's, as it is or with the
/// client's model restored, or the layer's own (an error, a restored JSON body).
///
/// Its error is the inner body's; its data is [`Bytes`].
pub struct AliasBody<B: Body> {
    kind: Kind<B>,
}

enum Kind<B: Body> {
    /// One buffer, then the end.
    Full(Option<Bytes>),
    /// The inner body, frame by frame.
    Inner(Pin<Box<B>>),
    /// The inner body, each data frame restored, and at its end what the restorer held.
    Restoring {
        body: Pin<Box<B>>,
        restorer: Option<RestoreStream>,
        /// A frame that came after the held bytes were flushed (trailers).
        next: Option<Frame<Bytes>>,
    },
    /// What was read of the inner body, then the rest of it.
    After { read: Option<Bytes>, tail: Tail<B> },
}

/// The rest of a body after what was read of it.
pub(super) enum Tail<B: Body> {
    Body(Pin<Box<B>>),
    Frame(Option<Frame<Bytes>>),
    Error(Option<B::Error>),
}

impl<B: Body> AliasBody<B> {
    pub(super) fn full(bytes: Bytes) -> AliasBody<B> {
        AliasBody {
            kind: Kind::Full(Some(bytes)),
        }
    }

    pub(super) fn inner(body: B) -> AliasBody<B> {
        AliasBody {
            kind: Kind::Inner(Box::pin(body)),
        }
    }

    pub(super) fn restoring(body: B, restorer: RestoreStream) -> AliasBody<B> {
        AliasBody {
            kind: Kind::Restoring {
                body: Box::pin(body),
                restorer: Some(restorer),
                next: None,
            },
        }
    }

    pub(super) fn after(read: Bytes, tail: Tail<B>) -> AliasBody<B> {
        AliasBody {
            kind: Kind::After {
                read: Some(read),
                tail,
            },
        }
    }
}

// Nothing in the body is ever pinned in place: the inner bodies are boxed, and the rest
// (bytes, a restorer, a held frame or error) is only moved out by value.
impl<B: Body> Unpin for AliasBody<B> {}

impl<B: Body> std::fmt::Debug for AliasBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::Full(_) => "full",
            Kind::Inner(_) => "inner",
            Kind::Restoring { .. } => "restoring",
            Kind::After { .. } => "after",
        };
        f.debug_struct("AliasBody").field("kind", &kind).finish()
    }
}

impl<B> Body for AliasBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Inner(body) => body.as_mut().poll_frame(cx),
            Kind::Restoring {
                body,
                restorer,
                next,
            } => {
                if let Some(frame) = next.take() {
                    return Poll::Ready(Some(Ok(frame)));
                }
                let Some(r) = restorer.as_mut() else {
                    return body.as_mut().poll_frame(cx);
                };
                match body.as_mut().poll_frame(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                        Ok(data) => Poll::Ready(Some(Ok(Frame::data(match r.push(&data) {
                            // A borrowed result is a prefix of the chunk: no copy.
                            Cow::Borrowed(sent) => data.slice(..sent.len()),
                            Cow::Owned(changed) => Bytes::from(changed),
                        })))),
                        // Trailers: what the restorer held goes first.
                        Err(frame) => {
                            let held = restorer.take().map(RestoreStream::finish);
                            match held.filter(|h| !h.is_empty()) {
                                Some(held) => {
                                    *next = Some(frame);
                                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(held)))))
                                }
                                None => Poll::Ready(Some(Ok(frame))),
                            }
                        }
                    },
                    Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                    Poll::Ready(None) => {
                        let held = restorer.take().map(RestoreStream::finish);
                        let held = held.filter(|h| !h.is_empty());
                        Poll::Ready(held.map(|h| Ok(Frame::data(Bytes::from(h)))))
                    }
                }
            }
            Kind::After { read, tail } => {
                if let Some(read) = read.take().filter(|r| !r.is_empty()) {
                    return Poll::Ready(Some(Ok(Frame::data(read))));
                }
                match tail {
                    Tail::Body(body) => body.as_mut().poll_frame(cx),
                    Tail::Frame(frame) => Poll::Ready(frame.take().map(Ok)),
                    Tail::Error(error) => Poll::Ready(error.take().map(Err)),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Inner(body) => body.is_end_stream(),
            Kind::Restoring { .. } | Kind::After { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Full(None) => SizeHint::with_exact(0),
            Kind::Inner(body) => body.size_hint(),
            Kind::Restoring { .. } | Kind::After { .. } => SizeHint::default(),
        }
    }
}
