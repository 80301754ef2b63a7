-- campaigns whose tier rows do not add up to the 'all' row, or whose interval misses the estimate
with tiers as (
    select campaign_id, sum(n_treated) as n_treated, sum(n_holdout) as n_holdout,
        sum(conversions_treated) as conversions_treated, sum(conversions_holdout) as conversions_holdout
    from campaign_lift where segment <> 'all' group by campaign_id
)
select lift.campaign_id
from campaign_lift as lift
inner join tiers on tiers.campaign_id = lift.campaign_id
where lift.segment = 'all'
    and (lift.n_treated <> tiers.n_treated or lift.n_holdout <> tiers.n_holdout
        or lift.conversions_treated <> tiers.conversions_treated
        or lift.conversions_holdout <> tiers.conversions_holdout)
union all
select campaign_id from campaign_lift
where lift_ci_low > lift_abs + 1e-12 or lift_ci_high < lift_abs - 1e-12
