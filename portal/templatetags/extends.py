"""Django's `{% extends %}`, with the root template's blocks found once per compiled template.

On every render Django's ExtendsNode walks the whole root template (base.html) to find its
`{% block %}`s, though a compiled template never changes: a few per cent of the signed-in page
(benchmarks/README.md, "The signed-in page against plain Django"). This node keeps what the walk
finds on the compiled template itself, so it lives and dies with it (a template reloaded in
development is walked again). Everything else is Django's: installed as a builtin in
portal.settings.base, it replaces the tag for every template."""

from django import template
from django.template.base import TextNode
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, do_extends
from django.template.loader_tags import ExtendsNode as DjangoExtendsNode

register = template.Library()


def _root_blocks(compiled):
    """The blocks a root template (one that extends nothing) adds to the block context; None for a
    template that extends another. Django's ExtendsNode.render computes the same on every render."""
    try:
        return compiled.portail_root_blocks
    except AttributeError:
        pass
    blocks = None
    for node in compiled.nodelist:
        # The ExtendsNode has to be the first non-text node.
        if not isinstance(node, TextNode):
            if not isinstance(node, DjangoExtendsNode):
                blocks = {n.name: n for n in compiled.nodelist.get_nodes_by_type(BlockNode)}
            break
    compiled.portail_root_blocks = blocks
    return blocks


class ExtendsNode(DjangoExtendsNode):
    def render(self, context):
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        root_blocks = _root_blocks(compiled_parent)
        if root_blocks is not None:
            block_context.add_blocks(root_blocks)  # reads the dict, never changes it
        # As Django: Template._render, so that the parser context stays the same.
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag("extends")
def extends(parser, token):
    node = do_extends(parser, token)
    cached = ExtendsNode.__new__(ExtendsNode)
    cached.__dict__.update(node.__dict__)
    return cached
