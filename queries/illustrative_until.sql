-- title: Where the illustrative contracts and migrations stop
-- description: The day the warehouse was built and the last day its illustrative contracts run up to (the build date: contracts nobody replaced are re-procured term after term until one runs past it), so a page can say how far the generated figures reach.
-- key: built_at
-- columns: built_at timestamp, illustrative_until date
with builds as (
    select * from meta_build
),

final as (
    select built_at, illustrative_until from builds
)

select * from final
