package io.faketcp.peer.internal.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerBuffersTest {

  @Test
  void aSetGivenBackServesTheNextPeerCleared() {
    PeerBuffers first = PeerBuffers.take();
    first.in.position(100).limit(200);
    first.out.position(7);
    first.release();
    PeerBuffers next = PeerBuffers.take();
    assertThat(next).isSameAs(first);
    assertThat(next.in.position()).isZero();
    assertThat(next.in.limit()).isEqualTo(PeerBuffers.SIZE);
    assertThat(next.out.position()).isZero();
    assertThat(next.in.isDirect()).isTrue();
    assertThat(List.of(next.in, next.out, next.later)).allMatch(b -> b.capacity() == PeerBuffers.SIZE);
    next.release();
  }

  @Test
  void setsAreNotSharedWhileInUse() {
    PeerBuffers a = PeerBuffers.take();
    PeerBuffers b = PeerBuffers.take();
    assertThat(b).isNotSameAs(a);
    assertThat(b.in).isNotSameAs(a.in);
    a.release();
    b.release();
  }

  @Test
  void onlyAFewSetsAreKept() {
    List<PeerBuffers> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(PeerBuffers.take());
    }
    many.forEach(PeerBuffers::release);
    List<PeerBuffers> again = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      again.add(PeerBuffers.take());
    }
    assertThat(again.stream().filter(many::contains).count()).isBetween(1L, 8L);
    again.forEach(PeerBuffers::release);
  }
}
